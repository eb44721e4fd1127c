import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, fileSink } from '../../../runtimes/node/index.js';
import { fileLines, tinyFilesystem, waitFor } from './helpers.js';

const fs = process.getuid?.() === 0 ? tinyFilesystem() : undefined;

describe.runIf(fs !== undefined)('disk full for real (tmpfs)', () => {
  it('a batch cut short by ENOSPC is retried from the first line that did not land: nothing lost, nothing twice', async () => {
    const { path, grow, remove } = fs as NonNullable<typeof fs>;
    const log = createLogger({
      exit: false,
      sinks: [fileSink({ dir: path, errorFile: false, retry: { maxAttempts: 100, initialDelayMs: 20, maxDelayMs: 20, jitter: false } })],
    });
    try {
      for (let i = 0; i < 1000; i++) log.info('filling the disk', { i, pad: 'f'.repeat(80) }); // ~150 KB > 64 KiB
      const flushed = log.flush({ timeoutMs: 20_000 });
      await waitFor(() => (log.stats().sinks.file?.failures ?? 0) >= 2, 10_000, 'ENOSPC failures');
      expect(log.stats().sinks.file?.lastError?.message).toMatch(/ENOSPC/);
      const partial = statSync(join(path, 'log.ndjson')).size;
      expect(partial).toBeGreaterThan(10_000); // part of the batch landed before the disk filled
      grow(); // space is back
      expect(await flushed).toMatchObject({ ok: true, delivered: 1000, dropped: 0 });
      const seen = new Map<number, number>();
      let torn = 0;
      for (const line of fileLines(join(path, 'log.ndjson'))) {
        try {
          const { i } = JSON.parse(line) as { i: number };
          seen.set(i, (seen.get(i) ?? 0) + 1);
        } catch {
          torn++;
        }
      }
      expect(torn).toBeLessThanOrEqual(1); // the line the disk cut in half, terminated on reopen
      expect([...seen.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await log.shutdown({ timeoutMs: 1000 });
      remove();
    }
  });
});
