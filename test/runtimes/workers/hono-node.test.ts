/**
 * The same Hono middleware on Node (served by @hono/node-server over real HTTP): there is no
 * executionCtx, so the middleware emits the wide event and leaves delivery to the logger's
 * background pipeline (no per-request flush).
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { shiplog, type ShiplogEnv } from '../../../src/adapters/hono.js';
import { memorySink } from '../../../src/testing.js';

let close: (() => void) | undefined;
afterEach(() => close?.());

async function listen(app: Hono<ShiplogEnv>): Promise<string> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`));
    close = () => server.close();
  });
}

test('on Node: c.var.log works, the wide event is emitted, delivery stays with the background pipeline', async () => {
  // Batches of 100 and no timer: anything delivered before an explicit flush would show a per-request flush.
  const sink = memorySink({ batch: { size: 100, intervalMs: 0 } });
  const logger = createLogger({ sinks: [sink], service: 'node-app' });
  const app = new Hono<ShiplogEnv>();
  app.use(shiplog({ logger }));
  app.get('/orders/:id', (c) => {
    c.var.log.set({ order: c.req.param('id') });
    c.var.log.info('order read');
    return c.json({ ok: true });
  });
  app.get('/broken', () => {
    throw new Error('broken route');
  });
  const base = await listen(app);

  expect((await fetch(`${base}/orders/3`, { headers: { 'x-request-id': 'o3' } })).status).toBe(200);
  expect((await fetch(`${base}/broken`, { headers: { 'x-request-id': 'b1' } })).status).toBe(500);
  expect(sink.events).toHaveLength(0);
  expect(logger.pending).toBe(3);

  await logger.flush();
  const records = sink.records();
  expect(records.map((r) => r.msg)).toEqual(['order read', 'GET /orders/3 200', 'GET /broken 500']);
  expect(records[1]).toMatchObject({ requestId: 'o3', route: '/orders/:id', status: 200, order: '3', service: 'node-app' });
  expect(records[2]).toMatchObject({ requestId: 'b1', level: 'error', route: '/broken', status: 500, error: { message: 'broken route' } });
});

test('a `fields` callback that throws: the request still succeeds, logged without those fields and with a warn event', async () => {
  const sink = memorySink({ batch: { size: 100, intervalMs: 0 } });
  const logger = createLogger({ sinks: [sink] });
  const app = new Hono<ShiplogEnv>();
  app.use(
    shiplog({
      logger,
      fields: (c) => {
        if (c.req.header('x-tenant') === undefined) throw new TypeError('no tenant header');
        return { tenant: c.req.header('x-tenant') };
      },
    }),
  );
  app.get('/ok', (c) => c.text('fine'));
  const base = await listen(app);

  const res = await fetch(`${base}/ok`, { headers: { 'x-request-id': 'f1' } });
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('fine');
  expect((await fetch(`${base}/ok`, { headers: { 'x-request-id': 'f2', 'x-tenant': 't9' } })).status).toBe(200);

  await logger.flush();
  const records = sink.records();
  expect(records.map((r) => [r.requestId, r.msg])).toEqual([
    ['f1', 'shiplog: the fields option threw; request logged without its fields'],
    ['f1', 'GET /ok 200'],
    ['f2', 'GET /ok 200'],
  ]);
  expect(records[0]).toMatchObject({ level: 'warn', error: { name: 'TypeError', message: 'no tenant header' } });
  expect(records[1]).toMatchObject({ route: '/ok', status: 200 });
  expect(records[1]).not.toHaveProperty('tenant');
  expect(records[2]).toMatchObject({ tenant: 't9', status: 200 });
});
