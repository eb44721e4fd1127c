/**
 * `shiplog/fastify` on a real Fastify 5 server on loopback: the route pattern, status and error
 * in one wide event per request, `getLogger()` under concurrency (also after body parsing),
 * thrown errors as 500, aborted requests and streamed replies.
 */
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, test } from 'vitest';
import { getLogger, shiplog } from '../../../runtimes/node/fastify.js';
import { gate, get, getAndAbort, observe, readStream, type Json, type Observed } from './server-helpers.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function serve(seen: Observed, routes: (app: FastifyInstance) => void): Promise<string> {
  const app = Fastify();
  apps.push(app);
  await app.register(shiplog, seen.options);
  routes(app);
  return app.listen({ port: 0, host: '127.0.0.1' });
}

describe('shiplog/fastify', () => {
  test('concurrent requests keep their own logger (getLogger() after body parsing too); the wide event has the route pattern', async () => {
    const seen = observe();
    const gates = Array.from({ length: 6 }, () => gate());
    const url = await serve(seen, (app) => {
      app.post<{ Params: { id: string }; Body: { n: number } }>('/orders/:id', async (request) => {
        await (gates[request.body.n] as ReturnType<typeof gate>).promise;
        getLogger().info('inside', { order: request.params.id });
        request.shiplog?.set({ order: { id: request.params.id } });
        return { id: request.params.id };
      });
    });
    const requests = gates.map((_, n) =>
      fetch(`${url}/orders/${n}`, { method: 'POST', headers: { 'x-request-id': `f-${n}`, 'content-type': 'application/json' }, body: JSON.stringify({ n }) }),
    );
    for (const g of [...gates].reverse()) g.open();
    const responses = await Promise.all(requests);
    expect(responses.map((r) => r.status)).toEqual(gates.map(() => 200));
    await Promise.all(gates.map((_, n) => seen.flushed(`f-${n}`)));
    for (const [n] of gates.entries()) {
      expect(seen.eventsOf(`f-${n}`).map((e) => e.msg)).toEqual(['inside', `POST /orders/${n} 200`]);
      expect(seen.eventsOf(`f-${n}`)[0]).toMatchObject({ order: String(n) });
      expect(seen.wideOf(`f-${n}`)).toMatchObject({ route: '/orders/:id', status: 200, order: { id: String(n) } });
    }
  });

  test('a thrown error gives 500 with the error in the wide event', async () => {
    const seen = observe();
    const url = await serve(seen, (app) => {
      app.get('/boom/:id', async () => {
        throw new TypeError('fastify boom');
      });
    });
    const res = await get(`${url}/boom/1`, 'boom');
    expect(res.status).toBe(500);
    await seen.flushed('boom');
    expect(seen.wideOf('boom')).toMatchObject({ level: 'error', status: 500, route: '/boom/:id', error: { name: 'TypeError', message: 'fastify boom' } });
  });

  test('a client that goes away mid-response: aborted: true', async () => {
    const seen = observe();
    const url = await serve(seen, (app) => {
      app.get('/slow', (_request, reply) => {
        reply.raw.writeHead(200, { 'content-type': 'text/plain' });
        reply.raw.write('first part');
        // Never ends: only the client closing the connection ends this request.
      });
    });
    await getAndAbort(`${url}/slow`, 'gone');
    await seen.flushed('gone');
    expect(seen.wideOf('gone')).toMatchObject({ aborted: true, route: '/slow' });
  });

  test('a streamed reply is one wide event, emitted when the stream ends', async () => {
    const seen = observe();
    const next = Array.from({ length: 3 }, () => gate());
    const url = await serve(seen, (app) => {
      app.get('/stream', (_request, reply) => {
        async function* chunks() {
          for (const [i, g] of next.entries()) {
            yield `chunk ${i};`;
            await g.promise;
          }
        }
        return reply.type('text/plain').send(Readable.from(chunks()));
      });
    });
    const during: (Json | undefined)[] = [];
    const res = await readStream(`${url}/stream`, 'streamed', (_chunk, i) => {
      during.push(seen.wideOf('streamed'));
      next[i]?.open();
    });
    expect(res).toEqual({ status: 200, body: 'chunk 0;chunk 1;chunk 2;' });
    expect(during.every((w) => w === undefined)).toBe(true);
    await seen.flushed('streamed');
    expect(seen.wideOf('streamed')).toMatchObject({ status: 200, route: '/stream' });
  });
});
