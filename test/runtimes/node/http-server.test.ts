/**
 * `withLogger` for a plain node:http server on loopback: one wide event per request, the logger
 * as the third argument and through `getLogger()`, a throwing handler answered with 500 and
 * logged, an aborted request, and `runWithLogger` / `getLogger()` outside any server.
 */
import http from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { getLogger, runWithLogger, withLogger } from '../../../runtimes/node/index.js';
import { gate, get, getAndAbort, listen, observe } from './server-helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('node:http withLogger', () => {
  test('one wide event per request; the handler logger and getLogger() are the same; a throw is a logged 500', async () => {
    const seen = observe();
    const server = http.createServer(
      withLogger(seen.options, async (req, res, log) => {
        if (req.url === '/throw') throw new Error('handler failed');
        await Promise.resolve();
        getLogger().info('via getLogger', { same: getLogger() === log });
        log.set({ answer: 42 });
        res.writeHead(201, { 'content-type': 'text/plain' }).end('created');
      }),
    );
    const { url, close } = await listen(server);
    closers.push(close);

    expect(await get(`${url}/things?x=1`, 'ok-1')).toEqual({ status: 201, body: 'created' });
    await seen.flushed('ok-1');
    expect(seen.eventsOf('ok-1').map((e) => e.msg)).toEqual(['via getLogger', 'GET /things 201']);
    expect(seen.eventsOf('ok-1')[0]).toMatchObject({ same: true });
    expect(seen.wideOf('ok-1')).toMatchObject({ method: 'GET', path: '/things', status: 201, answer: 42 });

    expect((await get(`${url}/throw`, 'fail-1')).status).toBe(500);
    await seen.flushed('fail-1');
    expect(seen.wideOf('fail-1')).toMatchObject({ level: 'error', status: 500, error: { message: 'handler failed' } });
  });

  test('an aborted request is logged with aborted: true', async () => {
    const seen = observe();
    const wrote = gate();
    const server = http.createServer(
      withLogger(seen.options, (_req, res) => {
        res.writeHead(200);
        res.write('partial');
        wrote.open();
      }),
    );
    const { url, close } = await listen(server);
    closers.push(close);
    await getAndAbort(url, 'gone');
    await wrote.promise;
    await seen.flushed('gone');
    expect(seen.wideOf('gone')).toMatchObject({ aborted: true, status: 200 });
  });

  test('runWithLogger makes getLogger() work outside a server; outside it getLogger() says what to do', async () => {
    const seen = observe();
    const log = seen.logger.request({ headers: { 'x-request-id': 'job-1' } });
    await runWithLogger(log, async () => {
      await Promise.resolve();
      getLogger().info('in a job');
    });
    await seen.logger.flush();
    expect(seen.eventsOf('job-1').map((e) => e.msg)).toEqual(['in a job']);
    expect(() => getLogger()).toThrow(/outside a request/);
  });
});
