import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, httpSink, type DropReason, type LogEvent } from '../../src/index.js';
import { eventIdOf } from '../../src/event-id.js';
import { startSlowIngest, type Fault } from './slow-ingest.harness.js';

/** Client send timeout: late and hanging answers are aborted by it (the server waits for that abort). */
const SEND_TIMEOUT_MS = 150;

interface Run {
  ids: string[];
  stored: Map<string, number>;
  dropped: Map<string, DropReason>;
  flushed: { delivered: number; dropped: number; unconfirmed: number };
}

async function run(faults: (i: number) => Fault, events: number, batchSize: number, dedupe: boolean): Promise<Run> {
  let request = 0;
  const ingest = await startSlowIngest(() => faults(request++), dedupe ? undefined : false);
  const dropped = new Map<string, DropReason>();
  const log = createLogger({
    vars: {},
    sendTimeoutMs: SEND_TIMEOUT_MS,
    batch: { size: batchSize, intervalMs: 0 },
    maxBufferSize: events,
    retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 },
    sinks: [httpSink({ url: ingest.url })],
    onDropped: (batch: readonly LogEvent[], reason) => {
      for (const event of batch) dropped.set(eventIdOf(event) as string, reason);
    },
  });
  const ids: string[] = [];
  for (let i = 0; i < events; i++) log.info('event', { i });
  const flushed = await log.shutdown({ timeoutMs: 120_000 });
  const stored = await ingest.stored();
  await ingest.close();
  // Every id the receiver stored or the logger reported: an event in neither is missing from `ids`.
  for (const id of stored.keys()) ids.push(id);
  for (const id of dropped.keys()) if (!stored.has(id)) ids.push(id);
  expect(flushed.pending).toBe(0);
  expect(flushed.delivered + flushed.dropped).toBe(events);
  return { ids, stored, dropped, flushed };
}

/** Stored exactly once or reported dropped, never both (an `unconfirmed` report may have arrived). */
function checkExactlyOnce({ ids, stored, dropped }: Run, events: number): void {
  expect(new Set(ids).size).toBe(events); // every event is accounted for, one way or the other
  for (const id of ids) {
    const times = stored.get(id) ?? 0;
    const reason = dropped.get(id);
    expect(times, `event ${id} stored ${times} times`).toBeLessThanOrEqual(1);
    if (times === 0) expect(reason, `event ${id} neither stored nor reported dropped`).toBeDefined();
    else if (reason !== undefined) expect(reason, `event ${id} stored and reported dropped as ${reason}`).toBe('unconfirmed');
  }
}

const duplicatesOf = (stored: Map<string, number>): number => [...stored.values()].reduce((n, times) => n + Math.max(0, times - 1), 0);

describe('slow ingest: random late answers, hangs, resets (shiplog ingest behind node:http)', () => {
  it('every event is stored exactly once or reported dropped, never both', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<Fault>('ok', 'ok', 'late', 'hang', 'reset-before', 'reset-after', '503'), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 25 }),
        async (script, batchSize) => {
          const result = await run((i) => script[i % script.length] as Fault, 60, batchSize, true);
          checkExactlyOnce(result, 60);
        },
      ),
      { numRuns: 12 },
    );
  }, 300_000);

  for (const latePercent of [30, 70]) {
    it(`${latePercent}% of answers late, 1,000 events: no duplicate at the receiver; without dedupe there are (measured)`, async () => {
      // A fixed pattern: request i is late when (i * 37) % 100 < latePercent.
      const late = (i: number): Fault => ((i * 37) % 100 < latePercent ? 'late' : 'ok');
      const withDedupe = await run(late, 1000, 50, true);
      const without = await run(late, 1000, 50, false);
      checkExactlyOnce(withDedupe, 1000);
      const report = {
        latePercent,
        duplicatesWithDedupe: duplicatesOf(withDedupe.stored),
        duplicatesWithoutDedupe: duplicatesOf(without.stored),
        eventsStoredTwiceOrMoreWithoutDedupe: [...without.stored.values()].filter((n) => n > 1).length,
        unconfirmedWithDedupe: withDedupe.flushed.unconfirmed,
        droppedByReasonWithDedupe: Object.fromEntries([...withDedupe.dropped.values()].reduce((m, r) => m.set(r, (m.get(r) ?? 0) + 1), new Map<string, number>())),
      };
      console.log(`late answers: ${JSON.stringify(report)}`);
      expect(report.duplicatesWithDedupe).toBe(0);
      expect(report.duplicatesWithoutDedupe).toBeGreaterThan(0); // the scenario does produce duplicates
    }, 300_000);
  }
});
