import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM fixture without types
import { startReceiver } from '../../../fixtures/node/spool-receiver.mjs';
import { createLogger, deliveryStatus, httpSink, spoolOf, type LogEvent } from '../../../runtimes/node/index.js';
import { readRecords } from '../../../runtimes/node/spool/record-file.js';
import { tinyFilesystem } from './helpers.js';

const fs = process.getuid?.() === 0 ? tinyFilesystem('64k', '8m') : undefined;

interface Receiver {
  mode: 'up' | 'down';
  url: string;
  close(): Promise<void>;
  tally(expected: Iterable<unknown>, field?: string): { missing: number; duplicated: number; stored: number; raw: number };
}

describe.runIf(fs !== undefined)('spool on a full disk for real (tmpfs)', () => {
  it('ENOSPC while spooling: no torn record stays, what did not fit is counted, what fit is delivered once when the sink and the disk are back', async () => {
    const { path, grow, remove } = fs as NonNullable<typeof fs>;
    const ingest = (await startReceiver()) as Receiver;
    ingest.mode = 'down';
    const dropped = new Set<number>();
    const log = createLogger({
      exit: false,
      file: false,
      batch: { intervalMs: 0 },
      // On the sink, the size stays a limit while flushing: batches of 10 fill the disk record by record.
      sinks: [httpSink({ url: ingest.url, batch: { size: 10 }, retry: { maxAttempts: 1 } })],
      spool: { dir: path, replay: { initialDelayMs: 10, maxDelayMs: 40 } },
      onDropped: (events: readonly LogEvent[]) => {
        for (const e of events) dropped.add((JSON.parse(e.line) as { n: number }).n);
      },
    });
    const total = 1000;
    try {
      for (let n = 0; n < total; n++) log.info('filling the disk', { n, pad: 'f'.repeat(80) }); // ~170 KB > 64 KiB
      const flushed = await log.flush({ timeoutMs: 20_000 });
      expect(flushed.timedOut).toBe(false);
      const stats = log.stats().sinks.http;
      expect(stats?.lastError?.message).toMatch(/ENOSPC/);
      expect(stats?.droppedByReason['retries-exhausted']).toBe(dropped.size);
      expect(dropped.size).toBeGreaterThan(0);
      const status = deliveryStatus(log)[0];
      expect(status?.pendingOnDisk).toBe(total - dropped.size); // every event is spooled or counted
      expect(status?.pendingOnDisk).toBeGreaterThan(0);
      // Only whole records on disk: a write the disk cut short was taken back.
      const queueDir = join(path, 'http');
      for (const name of readdirSync(queueDir).filter((f) => f.startsWith('seg-'))) {
        expect(readRecords(join(queueDir, name)).tornAt).toBeUndefined();
      }
      grow();
      ingest.mode = 'up';
      expect(await spoolOf(log)?.drain({ timeoutMs: 20_000 })).toBe(true);
      const kept = Array.from({ length: total }, (_, n) => n).filter((n) => !dropped.has(n));
      expect(ingest.tally(kept)).toMatchObject({ missing: 0, duplicated: 0, stored: kept.length });
    } finally {
      await log.shutdown({ timeoutMs: 2000 });
      await ingest.close();
      remove();
    }
  });
});
