/**
 * The one request lifecycle (src/lifecycle/run.ts) on a shared route, with fake timers: the wide
 * event once, the handler's result and error passed through, the flush handed to waitUntil or
 * awaited, hook failures contained, and a send in flight at the deadline aborted — its events
 * stay pending, nothing is counted as failed, and the next invocation delivers them.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createLogger, flushByDeadline, Logger, runLifecycle, type FlushResult, type LogEvent, type Sink } from '../../src/internal.js';

interface Switchable extends Sink {
  hang: boolean;
  aborted: number;
  delivered: string[];
}

/** A network-like sink: delivers at once, or hangs until its send is aborted. */
function switchable(intervalMs = 0): Switchable {
  const sink: Switchable = {
    name: 'net',
    hang: false,
    aborted: 0,
    delivered: [],
    batch: { size: 50, intervalMs },
    write(batch: readonly LogEvent[], { signal }) {
      if (sink.hang) {
        return new Promise<void>((_, reject) =>
          signal.addEventListener('abort', () => {
            sink.aborted++;
            reject(signal.reason);
          }),
        );
      }
      sink.delivered.push(...batch.map((e) => (JSON.parse(e.line) as { msg: string }).msg));
      return Promise.resolve();
    },
  };
  return sink;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('runLifecycle', () => {
  test('one wide event with the outcome; the result passes through; the flush is awaited without waitUntil', async () => {
    const sink = switchable();
    const logger = createLogger({ sinks: [sink] });
    const flushes: FlushResult[] = [];
    const result = await runLifecycle({
      logger,
      request: { method: 'GET', url: '/a', headers: { 'x-request-id': 'r1' } },
      run: (log) => {
        log.info('inside');
        log.set({ user: 'u' });
        return 'result';
      },
      outcome: (value) => ({ status: value === 'result' ? 201 : 500 }),
      flushTimeoutMs: 1000,
      onFlush: (flushed) => flushes.push(flushed),
    });
    expect(result).toBe('result');
    // Awaited: delivered before runLifecycle resolved.
    expect(sink.delivered).toEqual(['inside', 'GET /a 201']);
    expect(flushes).toMatchObject([{ ok: true, delivered: 2, pending: 0 }]);
  });

  test('a thrown error is rethrown unchanged and recorded; a throwing outcome and onFlush are contained', async () => {
    const sink = switchable();
    const logger = createLogger({ sinks: [sink] });
    const internal: unknown[] = [];
    const error = new TypeError('handler failed');
    await expect(
      runLifecycle({
        logger,
        run: () => {
          throw error;
        },
        outcome: () => {
          throw new Error('outcome failed');
        },
        flushTimeoutMs: 1000,
        onFlush: () => {
          throw new Error('hook failed');
        },
        onInternalError: (e) => internal.push(e),
      }),
    ).rejects.toBe(error);
    expect(sink.delivered).toEqual(['request']);
    expect(internal).toMatchObject([{ message: 'hook failed' }]);
  });

  test('the flush is handed to waitUntil and not awaited; a waitUntil that refuses means it is awaited', async () => {
    const sink = switchable();
    const logger = createLogger({ sinks: [sink] });
    const handed: Promise<unknown>[] = [];
    await runLifecycle({ logger, run: () => 'x', outcome: () => ({ status: 200 }), flushTimeoutMs: 1000, waitUntil: (p) => handed.push(p) });
    expect(handed).toHaveLength(1);
    await handed[0];
    expect(sink.delivered).toEqual(['200']);

    await runLifecycle({
      logger,
      run: () => 'y',
      outcome: () => ({ status: 204 }),
      flushTimeoutMs: 1000,
      waitUntil: () => {
        throw new Error('outside a request');
      },
    });
    expect(sink.delivered).toEqual(['200', '204']);
  });

  test('a hung send is aborted at the deadline: events stay pending, no failure counted, the next invocation delivers them', async () => {
    const sink = switchable(1000); // with a batch timer, which must not fire (or spin) while the sends are held
    const logger = createLogger({ sinks: [sink], retry: { maxAttempts: 3 } });
    sink.hang = true;
    let settled = false;
    const first = runLifecycle({
      logger,
      run: (log) => log.info('one'),
      outcome: () => ({ status: 200 }),
      flushTimeoutMs: 500,
    }).then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(499);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await first;
    expect(sink.aborted).toBe(1);
    expect(logger.stats().sinks.net).toMatchObject({ accepted: 2, delivered: 0, dropped: 0, pending: 2, inFlight: 0, failures: 0 });
    // Held until the next invocation: no send (so no new hung connection) between invocations.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(logger.stats().sinks.net).toMatchObject({ pending: 2, inFlight: 0 });
    expect(vi.getTimerCount()).toBe(0); // no batch timer re-arming itself while held

    sink.hang = false;
    const flushes: FlushResult[] = [];
    await runLifecycle({
      logger,
      run: (log) => log.info('two'),
      outcome: () => ({ status: 200 }),
      flushTimeoutMs: 500,
      onFlush: (r) => flushes.push(r),
    });
    expect(sink.delivered).toEqual(['one', '200', 'two', '200']);
    expect(flushes).toMatchObject([{ ok: true, delivered: 4, pending: 0, timedOut: false }]);
    expect(logger.stats().sinks.net).toMatchObject({ accepted: 4, delivered: 4, dropped: 0, pending: 0 });
  });

  test('flushByDeadline on a route that settles in time does not abort anything', async () => {
    const sink = switchable();
    const logger = createLogger({ sinks: [sink] });
    logger.info('x');
    const route = Logger.coreOf(logger).route;
    await expect(flushByDeadline(route, 100)).resolves.toMatchObject({ ok: true, delivered: 1, timedOut: false });
    expect(sink.aborted).toBe(0);
  });
});
