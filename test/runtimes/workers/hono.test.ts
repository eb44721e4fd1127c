/**
 * The Hono middleware in workerd, with and without nodejs_compat: on its own (no withShiplog;
 * SHIPLOG_ENDPOINT from c.env, delivered through c.executionCtx.waitUntil) and inside the
 * fixture's withShiplog (one wide event, getLogger() explaining how to enable it).
 */
import { describe, expect, test } from 'vitest';
import { bundleWorker, fixtureEntry, stopAfterEachTest, testWorker, until, type Ingest, type RunningWorker } from './harness.js';

const { startIngest, startWorker } = stopAfterEachTest();

async function start(entry: string, flags: string[]): Promise<{ w: RunningWorker; ing: Ingest }> {
  const ing = await startIngest();
  const w = await startWorker(await bundleWorker(entry), { flags, bindings: { SHIPLOG_ENDPOINT: ing.url } });
  return { w, ing };
}

const isWide = (r: Record<string, unknown>): boolean => typeof r.method === 'string' && 'durationMs' in r;

for (const flags of [['nodejs_compat'], []]) {
  const label = flags.length === 0 ? 'without nodejs_compat' : 'with nodejs_compat';

  describe(`Hono middleware on its own, ${label}`, () => {
    test('wide event with route pattern and status, delivered after the response', async () => {
      const { w, ing } = await start(testWorker('hono-standalone.ts'), flags);
      const res = await w.mf.dispatchFetch('http://worker.test/items/9', { headers: { 'x-request-id': 'item-9' } });
      expect(await res.text()).toBe('item');
      await until(() => ing.events().filter((e) => e.requestId === 'item-9').length >= 2, 10_000, 'events at the ingest');
      const events = ing.events().filter((e) => e.requestId === 'item-9');
      expect(events.map((e) => e.msg)).toEqual(['item read', 'GET /items/9 200']);
      expect(events[1]).toMatchObject({ route: '/items/:id', status: 200, item: '9', method: 'GET', path: '/items/9' });
      await until(() => w.records().filter(isWide).length === 1, 10_000, 'the console wide event');
    });

    test('a throwing route: 500 with the error in the wide event', async () => {
      const { w, ing } = await start(testWorker('hono-standalone.ts'), flags);
      const res = await w.mf.dispatchFetch('http://worker.test/fail', { headers: { 'x-request-id': 'fail-1' } });
      expect(res.status).toBe(500);
      await res.text();
      await until(() => ing.events().some((e) => e.requestId === 'fail-1'), 10_000, 'the wide event');
      expect(ing.events().find((e) => e.requestId === 'fail-1')).toMatchObject({
        level: 'error',
        status: 500,
        route: '/fail',
        error: { message: 'route failed' },
      });
    });
  });

  describe(`Hono middleware inside withShiplog, ${label}`, () => {
    test('one wide event per request (the middleware reuses the invocation), route added', async () => {
      const { w, ing } = await start(fixtureEntry, flags);
      await (await w.mf.dispatchFetch('http://worker.test/users/5', { headers: { 'x-request-id': 'u5' } })).text();
      await until(() => ing.events().filter((e) => e.requestId === 'u5').length >= 2, 10_000, 'events at the ingest');
      const wide = ing.events().filter((e) => e.requestId === 'u5' && isWide(e));
      expect(wide).toHaveLength(1);
      expect(wide[0]).toMatchObject({ route: '/users/:id', status: 200 });
    });

    test(flags.length === 0 ? 'getLogger() says how to enable it' : 'getLogger() returns the request logger', async () => {
      const { w, ing } = await start(fixtureEntry, flags);
      const res = await w.mf.dispatchFetch('http://worker.test/als', { headers: { 'x-request-id': 'als-1' } });
      if (flags.length === 0) {
        expect(res.status).toBe(501);
        expect(await res.text()).toMatch(/getLogger\(\) needs AsyncLocalStorage.*nodejs_compat.*4th argument/s);
      } else {
        expect(await res.text()).toBe('als ok');
        await until(() => ing.events().some((e) => e.msg === 'via getLogger'), 10_000, 'the getLogger event');
        expect(ing.events().find((e) => e.msg === 'via getLogger')?.requestId).toBe('als-1');
      }
    });
  });
}
