/**
 * What a console-only Worker's request costs, in workerd (speed itself is measured by
 * bench/workers-overhead.bench.mjs): no timer is armed per request (the console sink is written
 * at the invocation's end, synchronously), the event-id prefix is drawn once per logger (ids stay
 * unique), and every event is written and counted.
 */
import { expect, test } from 'vitest';
import { bundleWorker, stopAfterEachTest, testWorker, until } from './harness.js';

const { startWorker } = stopAfterEachTest();

test('20 requests: 40 console lines with unique ids from one prefix, no timer armed, randomness drawn once', async () => {
  const w = await startWorker(await bundleWorker(testWorker('request-cost.ts')));
  for (let i = 0; i < 20; i++) await (await w.mf.dispatchFetch(`http://worker.test/r/${i}`)).text();
  await until(() => w.records().filter((r) => r.service === 'cost').length >= 40, 10_000, '40 lines');
  const records = w.records().filter((r) => r.service === 'cost');
  expect(records).toHaveLength(40);
  expect(records.filter((r) => r.msg === 'inside')).toHaveLength(20);
  const ids = records.map((r) => r.eventId as string);
  expect(new Set(ids).size).toBe(40);
  expect(new Set(ids.map((id) => id.slice(0, 16))).size).toBe(1);

  const cost = (await (await w.mf.dispatchFetch('http://worker.test/cost')).json()) as {
    timers: number;
    randomDraws: number;
    stats: Record<string, { accepted: number; delivered: number; dropped: number; pending: number }>;
  };
  expect(cost.timers).toBe(0);
  expect(cost.randomDraws).toBe(1);
  expect(cost.stats.console).toMatchObject({ accepted: 40, delivered: 40, dropped: 0, pending: 0 });
});
