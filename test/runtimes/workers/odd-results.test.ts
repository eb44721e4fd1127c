/**
 * Fetch results workerd cannot send, in workerd: a handler that returns something other than a
 * Response (workerd answers 500) must not be logged as a success, and a body stream that errors
 * after the handler returned leaves the wide event as the handler's outcome (README).
 */
import { expect, test } from 'vitest';
import { bundleWorker, stopAfterEachTest, testWorker, until, type RunningWorker } from './harness.js';

const { startWorker } = stopAfterEachTest();

const wideOf = (w: RunningWorker, id: string): Record<string, unknown> | undefined =>
  w.records().find((r) => r.requestId === id && 'durationMs' in r);

test('a fetch handler returning null or a plain object: workerd answers 500, and so does the wide event', async () => {
  const w = await startWorker(await bundleWorker(testWorker('odd-results.ts')), { flags: [] });
  for (const [path, got] of [['/null', 'null'], ['/object', 'an object without a numeric status']] as const) {
    const res = await w.mf.dispatchFetch(`http://worker.test${path}`, { headers: { 'x-request-id': path } });
    expect(res.status).toBe(500);
    await res.text();
    await until(() => wideOf(w, path) !== undefined, 10_000, `the wide event of ${path}`);
    expect(wideOf(w, path)).toMatchObject({
      level: 'error',
      msg: `GET ${path} 500`,
      status: 500,
      error: { name: 'TypeError', message: `shiplog: the fetch handler returned ${got}, not a Response; workerd answers 500` },
    });
  }
});

test('a body stream that errors after the handler returned: the wide event is the handler outcome (200)', async () => {
  const w = await startWorker(await bundleWorker(testWorker('odd-results.ts')), { flags: [] });
  const res = await w.mf.dispatchFetch('http://worker.test/stream-error', { headers: { 'x-request-id': 'stream-1' } });
  expect(res.status).toBe(200);
  await res.text().catch(() => '');
  await until(() => wideOf(w, 'stream-1') !== undefined, 10_000, 'the wide event');
  expect(wideOf(w, 'stream-1')).toMatchObject({ level: 'info', status: 200 });
  // The stream's error is reported by workerd itself, not by shiplog.
  await until(() => w.lines.some((l) => l.includes('body stream broke')), 10_000, "workerd's own error line");
});
