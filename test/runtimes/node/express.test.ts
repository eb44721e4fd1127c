/**
 * `shiplog/express` on real Express 5 and Express 4 servers on loopback: one wide event per request with the
 * route pattern, status, duration and error; `getLogger()` per request under concurrency;
 * thrown errors, rejected async handlers and next(err) as 500 with the error; aborted requests;
 * streaming responses; and a hung sink that never delays a response.
 */
import http from 'node:http';
import express5 from 'express';
// Express 4 is installed under the alias `express4` (npm:express@4.22.3) to run the same tests.
import express4 from 'express4';
import { afterEach, describe, expect, test } from 'vitest';
import { getLogger, shiplog, shiplogErrors } from '../../../runtimes/node/express.js';
import type { LogEvent, Sink } from '../../../src/index.js';
import { createLogger } from '../../../runtimes/node/index.js';
import { gate, get, getAndAbort, listen, observe, readStream, type Json } from './server-helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

type ExpressFactory = typeof express5;

async function serve(app: ReturnType<ExpressFactory>): Promise<string> {
  const { url, close } = await listen(http.createServer(app));
  closers.push(close);
  return url;
}

const versions: [string, ExpressFactory, boolean][] = [
  ['express 5', express5, true],
  // Express 4 does not catch rejected async handlers (they never reach next(err)).
  ['express 4', express4 as unknown as ExpressFactory, false],
];

describe.each(versions)('shiplog/express on %s', (_name, express, catchesRejections) => {
  test('concurrent requests keep their own logger through getLogger(); one wide event each with the route pattern', async () => {
    const seen = observe();
    const gates = Array.from({ length: 8 }, () => gate());
    const app = express();
    app.use(shiplog(seen.options));
    app.get('/users/:id', async (req: express5.Request, res: express5.Response) => {
      const i = Number(req.params.id);
      await (gates[i] as ReturnType<typeof gate>).promise;
      getLogger().info('inside', { user: req.params.id });
      res.locals.log.set({ user: { id: req.params.id } });
      res.json({ id: req.params.id });
    });
    const url = await serve(app);
    const requests = gates.map((_, i) => get(`${url}/users/${i}`, `req-${i}`));
    for (const g of [...gates].reverse()) g.open(); // answered in the reverse order of arrival
    const responses = await Promise.all(requests);
    expect(responses.map((r) => r.status)).toEqual(gates.map(() => 200));
    await Promise.all(gates.map((_, i) => seen.flushed(`req-${i}`)));
    for (const [i] of gates.entries()) {
      const events = seen.eventsOf(`req-${i}`);
      expect(events.map((e) => e.msg)).toEqual(['inside', `GET /users/${i} 200`]);
      expect(events[0]).toMatchObject({ user: String(i) });
      expect(seen.wideOf(`req-${i}`)).toMatchObject({ method: 'GET', path: `/users/${i}`, route: '/users/:id', status: 200, user: { id: String(i) } });
    }
    expect(seen.sink.records()).toHaveLength(16);
  });

  test('a thrown error, a rejected async handler (Express 5) and next(err) give 500 with the error in the wide event', async () => {
    const seen = observe();
    const app = express();
    app.use(shiplog(seen.options));
    const router = express.Router();
    router.get('/throw', () => {
      throw new TypeError('thrown');
    });
    router.get('/reject', async () => {
      await Promise.resolve();
      throw new RangeError('rejected');
    });
    router.get('/next/:n', (_req, _res, next) => next(new Error('passed to next')));
    app.use('/api', router);
    app.use(shiplogErrors());
    const url = await serve(app);
    const cases = [
      ['throw', '/api/throw', 'TypeError', 'thrown'],
      ...(catchesRejections ? ([['reject', '/api/reject', 'RangeError', 'rejected']] as const) : []),
      ['next', '/api/next/1', 'Error', 'passed to next'],
    ] as const;
    for (const [id, path, name, message] of cases) {
      const res = await get(`${url}${path}`, id);
      expect(res.status).toBe(500);
      await seen.flushed(id);
      expect(seen.wideOf(id)).toMatchObject({ level: 'error', status: 500, path, error: { name, message } });
    }
    expect(seen.wideOf('next')).toMatchObject({ route: '/api/next/:n' });
  });

  test('a client that goes away mid-response: the wide event says aborted: true', async () => {
    const seen = observe();
    const started = gate();
    const app = express();
    app.use(shiplog(seen.options));
    app.get('/slow', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part');
      started.open();
      // Never ends: only the client closing the connection ends this request.
    });
    const url = await serve(app);
    await getAndAbort(`${url}/slow`, 'gone');
    await started.promise;
    await seen.flushed('gone');
    expect(seen.wideOf('gone')).toMatchObject({ aborted: true, route: '/slow', status: 200 });
  });

  test('a streamed response is one wide event, emitted when the stream ends', async () => {
    const seen = observe();
    const next = Array.from({ length: 3 }, () => gate());
    const app = express();
    app.use(shiplog(seen.options));
    app.get('/stream', async (_req, res) => {
      res.setHeader('content-type', 'text/plain');
      for (const [i, g] of next.entries()) {
        res.write(`chunk ${i};`);
        await g.promise;
        getLogger().info('chunk sent', { i });
      }
      res.end();
    });
    const url = await serve(app);
    const wideWhileStreaming: (Json | undefined)[] = [];
    const res = await readStream(`${url}/stream`, 'streamed', (_chunk, i) => {
      wideWhileStreaming.push(seen.wideOf('streamed'));
      next[i]?.open();
    });
    expect(res).toEqual({ status: 200, body: 'chunk 0;chunk 1;chunk 2;' });
    expect(wideWhileStreaming).toEqual([undefined, undefined, undefined]);
    await seen.flushed('streamed');
    expect(seen.eventsOf('streamed').map((e) => e.msg)).toEqual(['chunk sent', 'chunk sent', 'chunk sent', 'GET /stream 200']);
  });

  test('a hung sink never delays the response; at the deadline the send is aborted and its events stay pending', async () => {
    let aborted = 0;
    const hung: Sink = {
      name: 'hung',
      batch: { size: 1, intervalMs: 0 },
      write: (_batch: readonly LogEvent[], { signal }) =>
        new Promise<void>((_, reject) =>
          signal.addEventListener('abort', () => {
            aborted++;
            reject(signal.reason);
          }),
        ),
    };
    const logger = createLogger({ sinks: [hung], exit: false });
    const flushes: { timedOut: boolean; pending: number }[] = [];
    const flushed = gate();
    const app = express();
    app.use(shiplog({ logger, flushTimeoutMs: 300, onFlush: (r) => (flushes.push(r), flushed.open()) }));
    app.get('/', (_req, res) => res.send('ok'));
    const url = await serve(app);
    const res = await get(url, 'hung');
    expect(res).toEqual({ status: 200, body: 'ok' });
    expect(flushes).toEqual([]); // answered before the flush deadline
    await flushed.promise;
    expect(flushes).toMatchObject([{ timedOut: true, pending: 1 }]);
    expect(aborted).toBe(1);
    expect(logger.stats().sinks.hung).toMatchObject({ accepted: 1, delivered: 0, dropped: 0, pending: 1, inFlight: 0 });
  });
});
