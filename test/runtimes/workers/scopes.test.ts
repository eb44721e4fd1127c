/**
 * Events logged outside their invocation: at global scope (before any request), or through a
 * request logger whose request has ended. Nothing is sent from a timer or a foreign request;
 * they ride with the next invocation's flush.
 */
import { expect, test } from 'vitest';
import { bundleWorker, stopAfterEachTest, testWorker, until } from './harness.js';

const { startIngest, startWorker } = stopAfterEachTest();

test('global-scope and late events are parked, then sent with the next invocation', async () => {
  const ing = await startIngest();
  const w = await startWorker(await bundleWorker(testWorker('scopes.ts'), { INGEST_URL: ing.url }), { flags: [] });
  // The isolate has evaluated the module (global-scope log call) but nothing may be sent yet.
  expect(ing.requests).toBe(0);
  expect(w.records().some((r) => r.msg === 'logged at global scope')).toBe(false);

  await (await w.mf.dispatchFetch('http://worker.test/keep', { headers: { 'x-request-id': 'keep-1' } })).text();
  await until(() => ing.events().some((e) => e.requestId === 'keep-1'), 10_000, 'the first request');
  expect(ing.events().map((e) => e.msg)).toEqual(expect.arrayContaining(['logged at global scope', 'GET /keep 200']));
  expect(w.records().some((r) => r.msg === 'logged at global scope')).toBe(true);

  // Request 2 logs through request 1's logger: parked, sent by request 2's own flush.
  await (await w.mf.dispatchFetch('http://worker.test/late', { headers: { 'x-request-id': 'late-2' } })).text();
  await until(() => ing.events().some((e) => e.msg === 'late event from an ended request'), 10_000, 'the late event');
  const late = ing.events().find((e) => e.msg === 'late event from an ended request');
  expect(late?.requestId).toBe('keep-1');
  const arrival = ing.batches.find((a) => a.events.some((e) => e.msg === 'late event from an ended request'));
  expect(arrival?.events.map((e) => e.requestId)).toContain('late-2');
  expect(w.lines.join('\n')).not.toMatch(/different request|Cannot perform I\/O|Disallowed operation/i);

  const stats = (await (await w.mf.dispatchFetch('http://worker.test/stats')).json()) as {
    sinks: Record<string, { accepted: number; delivered: number; dropped: number; pending: number }>;
  };
  for (const sink of Object.values(stats.sinks)) {
    expect(sink.accepted).toBe(sink.delivered + sink.dropped + sink.pending);
    expect(sink.dropped).toBe(0);
  }
  expect(stats.sinks.http!.delivered).toBe(4); // global + keep + late + wide of /late
});

for (const flags of [['nodejs_compat'], []]) {
  test(`the module-level logger inside a request is sent by that request's flush (${flags.length ? 'AsyncLocalStorage' : 'parked, no AsyncLocalStorage'})`, async () => {
    const ing = await startIngest();
    const w = await startWorker(await bundleWorker(testWorker('scopes.ts'), { INGEST_URL: ing.url }), { flags });
    await (await w.mf.dispatchFetch('http://worker.test/module', { headers: { 'x-request-id': 'module-1' } })).text();
    // No second request: with AsyncLocalStorage the event joins the invocation; without, it is
    // parked and this invocation's end takes the parked events along.
    await until(() => ing.events().some((e) => e.msg === 'module logger inside a request'), 10_000, 'the module-level event');
    expect(ing.events().some((e) => e.msg === 'GET /module 200')).toBe(true);
    expect(w.lines.join('\n')).not.toMatch(/different request|Cannot perform I\/O|Disallowed operation/i);
  });
}
