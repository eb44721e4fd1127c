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
      expect(torn).toBe(0); // the part of a line the disk cut off is truncated away, not left mid-file
      expect([...seen.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await log.shutdown({ timeoutMs: 1000 });
      remove();
    }
  });

  it('a full buffer written synchronously onto a full disk: the lines that landed count as delivered, only the rest as dropped, no torn line', async () => {
    const { path, remove } = tinyFilesystem() as NonNullable<typeof fs>;
    const dropped: number[] = [];
    const log = createLogger({
      exit: false,
      maxBufferSize: 200,
      // Logged in one synchronous loop: the async send never gets a turn, every full buffer goes through writeSync.
      sinks: [fileSink({ dir: path, errorFile: false, batch: { size: 200, maxBytes: 64 * 1024 * 1024, intervalMs: 0 } })],
      onDropped: (events) => void dropped.push(...events.map((e) => (JSON.parse(e.line) as { i: number }).i)),
    });
    try {
      for (let i = 0; i < 1000; i++) log.info('filling the disk', { i, pad: 'f'.repeat(80) }); // ~170 KB > 64 KiB
      const stats = log.stats().sinks.file as { accepted: number; delivered: number; dropped: number; pending: number; droppedByReason: Record<string, number> };
      expect(log.stats().sinks.file?.lastError?.message).toMatch(/ENOSPC/);
      const seen: number[] = [];
      let torn = 0;
      for (const line of fileLines(join(path, 'log.ndjson'))) {
        try {
          seen.push((JSON.parse(line) as { i: number }).i);
        } catch {
          torn++;
        }
      }
      expect(torn).toBe(0);
      // Exact: what is in the file is what was counted delivered; what was reported dropped is not in it.
      expect(seen.length).toBe(stats.delivered);
      expect(stats.delivered).toBeGreaterThan(0);
      expect(stats.dropped).toBe(dropped.length);
      expect(stats.droppedByReason.overflow).toBe(stats.dropped);
      const inFile = new Set(seen);
      expect(dropped.filter((i) => inFile.has(i))).toEqual([]);
      expect(stats.accepted).toBe(stats.delivered + stats.dropped + stats.pending);
      expect(new Set([...seen, ...dropped]).size + stats.pending).toBe(1000);
    } finally {
      await log.shutdown({ timeoutMs: 1000 });
      remove();
    }
  });
});
