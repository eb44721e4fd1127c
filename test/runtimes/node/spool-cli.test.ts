import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
// @ts-expect-error plain ESM fixture without types
import { startReceiver } from '../../../fixtures/node/spool-receiver.mjs';
import { createLogger, deliveryStatus, httpSink, spoolOf, type Logger } from '../../../runtimes/node/index.js';
import { tempDir } from './helpers.js';

const cli = (args: string[]) =>
  spawnSync(process.execPath, [inject('cliEntry'), 'spool', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const jsonLines = (stdout: string): Record<string, unknown>[] =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

interface Receiver {
  mode: 'up' | 'down';
  url: string;
  refuse?: (events: Record<string, unknown>[]) => boolean;
  close(): Promise<void>;
  tally(expected: Iterable<unknown>, field?: string): { missing: number; duplicated: number; stored: number; raw: number };
}

const logger = (url: string, dir: string): Logger =>
  createLogger({
    exit: false,
    file: false,
    batch: { intervalMs: 0 },
    // On the sink, the size stays a limit while flushing: two batches of 5, each with a poison event.
    sinks: [httpSink({ url, batch: { size: 5 }, retry: { maxAttempts: 1 } })],
    spool: { dir, replay: { initialDelayMs: 10, maxDelayMs: 40 } },
  });

describe('shiplog spool CLI', () => {
  it('status, list, retry and clear on a real spool; retry and clear refuse (exit 3) while a live process owns it', async () => {
    const ingest = (await startReceiver()) as Receiver;
    const dir = tempDir();
    try {
      // Two refused batches (dead letters) and, with the ingest down, 10 events on disk.
      ingest.refuse = (events) => events.some((e) => e.poison === true);
      const first = logger(ingest.url, dir);
      for (let n = 0; n < 10; n++) first.info('event', n % 5 === 0 ? { n, poison: true } : { n });
      await first.flush();
      ingest.mode = 'down';
      for (let n = 10; n < 20; n++) first.info('event', { n });
      await first.flush();

      // Owned by this (live) process: reading works, changing is refused.
      expect(jsonLines(cli(['status', dir, '--json']).stdout)).toEqual([
        expect.objectContaining({ sink: 'http', ownerPid: process.pid, pendingEvents: 10, deadLetters: 2, deadLetterEvents: 10 }), // read while owned
      ]);
      const busy = cli(['retry', dir]);
      expect(busy.status).toBe(3);
      expect(busy.stderr).toMatch(new RegExp(`owned by running process ${process.pid}`));
      await first.shutdown();

      const [status] = jsonLines(cli(['status', dir]).stdout); // not a TTY: JSON lines
      expect(status).toMatchObject({ sink: 'http', pendingBatches: 2, pendingEvents: 10, deadLetters: 2, deadLetterEvents: 10 });
      expect(status?.ownerPid).toBeUndefined();
      expect(status?.spoolBytes).toBeGreaterThan(0);

      const letters = jsonLines(cli(['list', dir]).stdout);
      expect(letters).toHaveLength(2);
      expect(letters[0]).toMatchObject({ sink: 'http', reason: 'rejected', events: 5, attempts: 1 });
      expect(letters[0]?.lastError).toMatch(/HTTP 400/);
      expect(letters[0]?.deadAt).toMatch(/^\d{4}-/);
      const withEvents = jsonLines(cli(['list', join(dir, 'http'), '--events']).stdout);
      expect(withEvents).toHaveLength(12); // 2 letters + 5 event lines each
      expect(withEvents[1]).toMatchObject({ msg: 'event', n: 0, poison: true });

      // Clear one by id, retry the other.
      const [firstId, secondId] = letters.map((l) => l.id as string);
      const cleared = cli(['clear', dir, '--id', firstId as string]);
      expect(cleared.stdout).toMatch(/cleared 1 dead letters \(5 events\)/);
      expect(jsonLines(cli(['list', dir]).stdout).map((l) => l.id)).toEqual([secondId]);
      const retried = cli(['retry', dir, '--sink', 'http']);
      expect(retried.status).toBe(0);
      expect(retried.stdout).toMatch(/moved back into the spool 1 dead letters \(5 events\)/);
      expect(jsonLines(cli(['status', dir]).stdout)[0]).toMatchObject({ pendingEvents: 15, deadLetters: 0 });

      // The next start replays it all: the 10 spooled events and the retried batch.
      ingest.mode = 'up';
      ingest.refuse = undefined;
      const second = logger(ingest.url, dir);
      expect(await spoolOf(second)?.drain({ timeoutMs: 20_000 })).toBe(true);
      expect(deliveryStatus(second)[0]).toMatchObject({ pendingOnDisk: 0, deadLetters: 0, replayed: 15 });
      // Both refused batches (0-4, 5-9) were dead letters: the first was cleared, the second retried.
      const delivered = Array.from({ length: 15 }, (_, i) => 5 + i);
      expect(ingest.tally(delivered)).toMatchObject({ missing: 0, duplicated: 0, stored: 15 });
      await second.shutdown();

      expect(cli(['status', tempDir()]).status).toBe(2); // no spool there
      expect(cli(['frobnicate', dir]).status).toBe(2);
    } finally {
      await ingest.close();
    }
  });
});
