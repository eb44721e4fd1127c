/**
 * What a Workers invocation costs per request, pinned by behaviour (speed itself is measured in
 * bench/workers-overhead.bench.mjs): the event-id prefix is drawn once per logger, not per
 * invocation; a synchronous sink (console) is written at the invocation's end without arming a
 * deadline timer, never ahead of a batch still in flight; invocations that end out of order keep
 * the counters right; a Request's path is read without parsing its URL again, with the same result.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createLogger } from '../../runtimes/workers/index.js';
import { invocationOf, openInvocation as open, runLifecycle, type LogEvent, type Sink } from '../../src/internal.js';
import { requestInfo } from '../../src/request-info.js';

const msgs = (batch: readonly LogEvent[]): string[] => batch.map((e) => (JSON.parse(e.line) as { msg: string }).msg);

/** A synchronous sink (like console): `write` and `writeSync` both record at once. */
function syncSink(): Sink & { lines: string[]; viaWriteSync: number } {
  const sink = {
    name: 'sync',
    lines: [] as string[],
    viaWriteSync: 0,
    batch: { size: 50, intervalMs: 0 },
    write(batch: readonly LogEvent[]) {
      sink.lines.push(...msgs(batch));
    },
    writeSync(batch: readonly LogEvent[]) {
      sink.viaWriteSync++;
      sink.lines.push(...msgs(batch));
    },
  };
  return sink;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a Workers invocation's end", () => {
  test('every invocation of one logger shares its event-id prefix: randomness is drawn once, ids stay unique', async () => {
    const sink = syncSink();
    const log = createLogger({ sinks: [sink], vars: {} });
    const lines: string[] = [];
    const capture: Sink = { name: 'capture', write: (batch) => void lines.push(...batch.map((e) => e.line)), writeSync: (batch) => void lines.push(...batch.map((e) => e.line)) };
    const captured = createLogger({ sinks: [capture], vars: {} });
    const draws = vi.spyOn(crypto, 'getRandomValues');
    for (let i = 0; i < 40; i++) {
      const a = open(log, { url: `/a/${i}` });
      a.log.info('inside');
      await a.finish({ status: 200 });
      await open(captured, { url: `/b/${i}` }).finish({ status: 200 });
    }
    // One draw per logger (two loggers), not one per invocation.
    expect(draws.mock.calls.length).toBe(2);
    const ids = lines.map((line) => (JSON.parse(line) as { eventId: string }).eventId);
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
    expect(new Set(ids.map((id) => id.slice(0, 16))).size).toBe(1);
  });

  test('a synchronous sink is written inline at the end: no timer is armed, and the result counts it', async () => {
    const sink = syncSink();
    const log = createLogger({ sinks: [sink], vars: {} });
    const invocation = open(log, { method: 'GET', url: 'https://w.example/x?q=1' });
    invocation.log.info('one');
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const finishing = invocation.finish({ status: 200 });
    // Written before anything is awaited.
    expect(sink.lines).toEqual(['one', 'GET /x 200']);
    expect(sink.viaWriteSync).toBe(1);
    expect(timers).not.toHaveBeenCalled();
    expect(await finishing).toEqual({ ok: true, delivered: 2, dropped: 0, unconfirmed: 0, handedOff: 0, pending: 0, timedOut: false });
    expect(log.stats().sinks.sync).toMatchObject({ accepted: 2, delivered: 2, dropped: 0, pending: 0 });
  });

  test('a sink with writeSync whose batch is still in flight is not written ahead of it', async () => {
    let release: (() => void) | undefined;
    const lines: string[] = [];
    let viaWriteSync = 0;
    const sink: Sink = {
      name: 'spool',
      batch: { size: 1, intervalMs: 0 },
      write(batch) {
        return new Promise<void>((resolve) => {
          release = () => {
            lines.push(...msgs(batch));
            resolve();
          };
        });
      },
      writeSync(batch) {
        viaWriteSync++;
        lines.push(...msgs(batch));
      },
    };
    const log = createLogger({ sinks: [sink], vars: {} });
    const invocation = open(log, { url: '/slow' });
    invocation.log.info('first');
    await Promise.resolve(); // the first batch goes out (batch size 1) and hangs
    expect(release).toBeTypeOf('function');
    const finishing = invocation.finish({ status: 200 }, 5000);
    expect(viaWriteSync).toBe(0);
    while (lines.length < 2) {
      const next = release;
      release = undefined;
      next?.();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect(await finishing).toMatchObject({ ok: true, pending: 0, timedOut: false });
    expect(lines).toEqual(['first', '/slow 200']);
    expect(viaWriteSync).toBe(0);
  });

  test('invocations that end out of order keep pending and stats right', async () => {
    const sink = syncSink();
    const log = createLogger({ sinks: [sink], vars: {} });
    const invocations = [0, 1, 2, 3].map((i) => open(log, { url: `/${i}` }));
    invocations.forEach((invocation, i) => invocation.log.info(`event ${i}`));
    expect(log.pending).toBe(4);
    await invocations[1]!.finish({ status: 200 });
    expect(log.pending).toBe(3);
    await invocations[0]!.finish({ status: 200 });
    invocations[3]!.log.info('more');
    expect(log.pending).toBe(3);
    await invocations[3]!.finish({ status: 200 });
    expect(log.pending).toBe(1);
    expect(log.stats().sinks.sync).toMatchObject({ accepted: 8, delivered: 7, pending: 1 });
    await invocations[2]!.finish({ status: 200 });
    expect(log.pending).toBe(0);
    expect(log.stats().sinks.sync).toMatchObject({ accepted: 9, delivered: 9, dropped: 0, pending: 0 });
    expect(sink.lines).toHaveLength(9);
  });
});

describe('the invocation bound to a request', () => {
  test('is found while its handler runs, concurrent ones apart, and released when the handler settles', async () => {
    const log = createLogger({ sinks: [syncSink()], vars: {} });
    const requests = [new Request('https://w.example/a'), new Request('https://w.example/b'), new Request('https://w.example/c')];
    const seen: (string | undefined)[] = [];
    let releaseB: (() => void) | undefined;
    const run = (request: Request, wait?: Promise<void>) =>
      runLifecycle({
        logger: log,
        request,
        bindTo: request,
        run: async (requestLog) => {
          await wait;
          seen.push(invocationOf(request)?.log === requestLog ? new URL(request.url).pathname : 'other');
          return 'ok';
        },
        outcome: () => ({ status: 200 }),
        flushTimeoutMs: 1000,
      });
    const b = run(requests[1]!, new Promise<void>((resolve) => (releaseB = resolve)));
    await Promise.all([run(requests[0]!), run(requests[2]!)]);
    expect(invocationOf(requests[0])).toBeUndefined();
    expect(invocationOf(requests[2])).toBeUndefined();
    expect(invocationOf(requests[1])).toBeDefined();
    releaseB?.();
    await b;
    expect(seen).toEqual(['/a', '/c', '/b']);
    expect(requests.map((r) => invocationOf(r))).toEqual([undefined, undefined, undefined]);
  });

  test('is released when the handler throws', async () => {
    const log = createLogger({ sinks: [syncSink()], vars: {} });
    const request = new Request('https://w.example/boom');
    const running = runLifecycle({
      logger: log,
      request,
      bindTo: request,
      run: () => {
        expect(invocationOf(request)).toBeDefined();
        throw new Error('boom');
      },
      outcome: () => ({ status: 500 }),
      flushTimeoutMs: 1000,
    });
    await expect(running).rejects.toThrow('boom');
    expect(invocationOf(request)).toBeUndefined();
  });
});

describe("a request's path", () => {
  test('from a fetch Request it is what URL parsing gives, without the query or fragment', () => {
    const urls = [
      'https://w.example/orders/42?i=1',
      'https://w.example',
      'https://w.example/',
      'https://w.example:8443/a/b/#frag?x',
      'http://w.example/a%20b/c?x=/y#z',
      'https://w.example/a/../b/./c',
      'https://w.example/?only=query',
      'https://w.example/p#only-fragment',
    ];
    for (const url of urls) {
      const request = new Request(url);
      expect(requestInfo(request).path).toBe(new URL(request.url).pathname);
    }
  });

  test('from a plain shape it is still parsed (not normalized by a Request)', () => {
    expect(requestInfo({ url: 'https://w.example/a/../b?x' }).path).toBe('/b');
    expect(requestInfo({ url: '/raw/path?x#y' }).path).toBe('/raw/path');
  });
});
