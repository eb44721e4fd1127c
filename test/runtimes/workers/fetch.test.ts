/**
 * The fixture Worker (Hono + withShiplog, nodejs_compat) in workerd: console wide events,
 * delivery to a local ingest server after the response, retries and deadlines inside the
 * request's own waitUntil, and 50 concurrent requests.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { bundleWorker, fixtureEntry, stopAfterEachTest, until, type Ingest, type RunningWorker } from './harness.js';

let script: string;
const { startIngest, startWorker } = stopAfterEachTest();

beforeAll(async () => {
  script = await bundleWorker(fixtureEntry);
});

async function start(bindings: Record<string, string> = {}): Promise<{ w: RunningWorker; ing: Ingest }> {
  const ing = await startIngest();
  const w = await startWorker(script, { bindings: { SHIPLOG_ENDPOINT: ing.url, RETRY_DELAY_MS: '20', ...bindings } });
  return { w, ing };
}

const isWide = (r: Record<string, unknown>): boolean => typeof r.method === 'string' && 'durationMs' in r;

describe('fetch', () => {
  test('one wide event per request on the console: method, path, route, status, duration, cf-ray, colo, country', async () => {
    const { w } = await start();
    const res = await w.mf.dispatchFetch('http://worker.test/users/42?token=secret', {
      headers: { 'cf-ray': '8f00aa-AMS' },
      cf: { colo: 'AMS', country: 'NL' },
    } as never);
    expect(res.status).toBe(200);
    await res.text();
    await until(() => w.records().some(isWide), 10_000, 'the wide event on the console');
    const mine = w.records().filter((r) => r.requestId === '8f00aa-AMS');
    const wide = mine.filter(isWide);
    expect(wide).toHaveLength(1);
    expect(wide[0]).toMatchObject({
      level: 'info',
      service: 'fixture-worker',
      method: 'GET',
      path: '/users/42',
      route: '/users/:id',
      status: 200,
      cfRay: '8f00aa-AMS',
      colo: 'AMS',
      country: 'NL',
      user: { id: '42' },
    });
    expect(typeof wide[0]!.durationMs).toBe('number');
    // The plain event of the same request carries its correlation id too.
    expect(mine.find((r) => r.msg === 'loading user')).toMatchObject({ id: '42', colo: 'AMS' });
  });

  test('every event arrives at the ingest server after the response; delivery is not part of the response time', async () => {
    const { w, ing } = await start();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    ing.behaviour = (async () => {
      await held; // the ingest answers only after the test saw the response
      return 200;
    });
    const res = await w.mf.dispatchFetch('http://worker.test/users/7', { headers: { 'x-request-id': 'req-7' } });
    const respondedAt = Date.now();
    expect(await res.json()).toEqual({ id: '7' });
    expect(ing.batches).toHaveLength(0); // nothing was delivered before the response came back
    release();
    await until(() => ing.events().length >= 2, 10_000, 'two events at the ingest');
    const events = ing.events().filter((e) => e.requestId === 'req-7');
    expect(events.map((e) => e.msg)).toEqual(['loading user', 'GET /users/7 200']);
    // The fixture's global-scope event (logged before any request) rode with this request's flush.
    await until(() => ing.events().some((e) => e.msg === 'isolate started'), 10_000, 'the global-scope event');
    expect(ing.batches[0]!.receivedAt).toBeGreaterThanOrEqual(respondedAt);
  });

  test('ingest answering 503 then 200: delivered by the retry inside the same waitUntil', async () => {
    const { w, ing } = await start();
    let failedOnce = false;
    ing.behaviour = ((_, body) => {
      if (failedOnce || !body.includes('retry-1')) return 200;
      failedOnce = true;
      return 503;
    });
    const res = await w.mf.dispatchFetch('http://worker.test/users/1', { headers: { 'x-request-id': 'retry-1' } });
    await res.text();
    // No other request runs, so only this request's waitUntil can have retried.
    await until(() => ing.events().length >= 2, 10_000, 'the retried batch');
    expect(failedOnce).toBe(true);
    expect(ing.events().filter((e) => e.requestId !== undefined).map((e) => e.requestId)).toEqual(['retry-1', 'retry-1']);
    const stats = (await (await w.mf.dispatchFetch('http://worker.test/stats')).json()) as {
      sinks: Record<string, { delivered: number; retries: number; failures: number; dropped: number }>;
    };
    expect(stats.sinks.http).toMatchObject({ delivered: 2, retries: 1, failures: 1, dropped: 0 });
  });

  test('ingest hanging: at the deadline the send is aborted, nothing is dropped, and the next request delivers it', async () => {
    const { w, ing } = await start({ FLUSH_TIMEOUT_MS: '400' });
    let hang = true;
    ing.behaviour = (() => (hang ? 'hang' : 200));
    const res = await w.mf.dispatchFetch('http://worker.test/users/2', { headers: { 'x-request-id': 'hang-2' } });
    const respondedAt = Date.now();
    await res.text();
    // Every hung send (this request's, and the global-scope logger's parked events riding along) aborted.
    await until(() => ing.requests > 0 && ing.abandoned === ing.requests, 10_000, 'the hung sends aborted');
    const elapsed = Date.now() - respondedAt;
    // Ended by the 400 ms deadline, far before the sink's own 10 s request timeout.
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(6000);
    expect(ing.batches).toHaveLength(0);

    hang = false;
    await (await w.mf.dispatchFetch('http://worker.test/users/3', { headers: { 'x-request-id': 'after-3' } })).text();
    await until(() => ing.events().filter((e) => e.requestId === 'hang-2').length === 2, 10_000, 'the parked events');
    const byRequest = (id: string): unknown[] => ing.events().filter((e) => e.requestId === id).map((e) => e.msg);
    expect(byRequest('hang-2')).toEqual(['loading user', 'GET /users/2 200']);
    expect(byRequest('after-3')).toEqual(['loading user', 'GET /users/3 200']);
    expect(ing.events().filter((e) => e.msg === 'isolate started')).toHaveLength(1);
    expect(w.records().filter((r) => 'shiplogDropped' in r)).toEqual([]);
    const stats = (await (await w.mf.dispatchFetch('http://worker.test/stats')).json()) as {
      sinks: Record<string, { accepted: number; delivered: number; dropped: number; pending: number }>;
    };
    const http = stats.sinks.http!;
    expect(http.dropped).toBe(0);
    expect(http.accepted).toBe(http.delivered + http.dropped + http.pending);
  });

  test('50 concurrent requests: each request delivers its own events, no cross-request I/O error', async () => {
    const { w, ing } = await start();
    const ids = Array.from({ length: 50 }, (_, i) => `concurrent-${i}`);
    const responses = await Promise.all(
      ids.map((id, i) => w.mf.dispatchFetch(`http://worker.test/users/${i}`, { headers: { 'x-request-id': id } })),
    );
    expect(responses.map((r) => r.status)).toEqual(ids.map(() => 200));
    await Promise.all(responses.map((r) => r.text()));
    await until(() => ing.events().length >= 100, 10_000, '100 events at the ingest');
    for (const [i, id] of ids.entries()) {
      const events = ing.events().filter((e) => e.requestId === id);
      expect(events.map((e) => e.msg), id).toEqual(['loading user', `GET /users/${i} 200`]);
    }
    // Plus the fixture's global-scope event, which rode with the first flush.
    expect(ing.events().filter((e) => e.requestId !== undefined)).toHaveLength(100);
    expect(ing.events().filter((e) => e.msg === 'isolate started')).toHaveLength(1);
    // Each request sent its own batch (nothing of one request rode with another's send).
    for (const arrival of ing.batches) expect(new Set(arrival.events.map((e) => e.requestId)).size).toBe(1);
    expect(ing.batches.length).toBeGreaterThanOrEqual(50);
    expect(w.lines.join('\n')).not.toMatch(/different request|Cannot perform I\/O/i);
  });

  test('a route that throws: status 500 and the error in the wide event, still delivered', async () => {
    const { w, ing } = await start();
    const res = await w.mf.dispatchFetch('http://worker.test/boom', { headers: { 'x-request-id': 'boom-1' } });
    expect(res.status).toBe(500);
    await res.text();
    await until(() => ing.events().some((e) => e.requestId === 'boom-1'), 10_000, 'the failed request at the ingest');
    const wide = ing.events().find((e) => e.requestId === 'boom-1' && isWide(e));
    expect(wide).toMatchObject({ level: 'error', status: 500, route: '/boom', error: { name: 'Error', message: 'boom from a route' } });
  });
});
