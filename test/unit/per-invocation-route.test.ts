/**
 * The per-invocation route (src/lifecycle/per-invocation-route.ts, what Workers loggers use), on
 * Node with fake timers (workerd tests cover the same behaviour end to end): nothing is sent
 * outside an invocation, parked events are bounded and counted, at the deadline the send in
 * flight is aborted and its events go with the next invocation, and stats add up across invocations.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createLogger } from '../../runtimes/workers/index.js';
import { InvocationPipelines, Logger, PerInvocationRoute, openInvocation as open, type DropReason, type LogEvent, type Sink } from '../../src/internal.js';

interface Recorder extends Sink {
  batches: string[][];
  hang: boolean;
}

/** A network-like sink (no writeSync): records batches, or never answers when `hang` is set. */
function recorder(name = 'net'): Recorder {
  const sink: Recorder = {
    name,
    batches: [],
    hang: false,
    write(batch: readonly LogEvent[], { signal }) {
      if (sink.hang) return new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      sink.batches.push(batch.map((e) => (JSON.parse(e.line) as { msg: string }).msg));
      return Promise.resolve();
    },
  };
  return sink;
}

const invariant = (s: { accepted: number; delivered: number; dropped: number; pending: number }): void =>
  expect(s.accepted).toBe(s.delivered + s.dropped + s.pending);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('scoped logger', () => {
  test('outside an invocation nothing is sent, even on flush(); the next invocation takes the events along', async () => {
    const sink = recorder();
    const log = createLogger({ sinks: [sink], vars: {} });
    log.info('at global scope');
    const outside = await log.flush();
    expect(outside).toMatchObject({ ok: false, delivered: 0, pending: 1 });
    expect(sink.batches).toEqual([]);

    const invocation = open(log, { method: 'GET', url: '/a' });
    invocation.log.info('inside');
    const result = await invocation.finish({ status: 200 });
    expect(result).toMatchObject({ ok: true, delivered: 3, dropped: 0, pending: 0, timedOut: false });
    expect(sink.batches.flat()).toEqual(['inside', 'GET /a 200', 'at global scope']);
    const stats = log.stats().sinks.net!;
    expect(stats).toMatchObject({ accepted: 3, delivered: 3, dropped: 0, pending: 0 });
  });

  test('a request logger used after its invocation ended parks its events for the next one', async () => {
    const sink = recorder();
    const log = createLogger({ sinks: [sink], vars: {} });
    const first = open(log, { url: '/first' });
    await first.finish({ status: 204 });
    first.log.info('late');
    expect(sink.batches.flat()).toEqual(['/first 204']);
    expect(log.pending).toBe(1);
    await open(log, { url: '/second' }).finish({ status: 200 });
    expect(sink.batches.flat()).toEqual(['/first 204', '/second 200', 'late']);
    invariant(log.stats().sinks.net!);
  });

  test('parked events are bounded by maxBufferSize: the oldest are dropped as overflow and reported', async () => {
    const sink = recorder();
    const dropped: [string, DropReason, string][] = [];
    const log = createLogger({
      sinks: [sink],
      vars: {},
      maxBufferSize: 3,
      onDropped: (events, reason, name) => events.forEach((e) => dropped.push([(JSON.parse(e.line) as { msg: string }).msg, reason, name])),
    });
    for (let i = 1; i <= 5; i++) log.info(`event ${i}`);
    expect(dropped).toEqual([
      ['event 1', 'overflow', 'net'],
      ['event 2', 'overflow', 'net'],
    ]);
    const stats = log.stats().sinks.net!;
    expect(stats).toMatchObject({ accepted: 5, dropped: 2, pending: 3, droppedByReason: { overflow: 2 } });
    invariant(stats);
  });

  test("a sink's own maxBufferSize bounds its parked events and its invocation's buffer, over the logger's", async () => {
    const small: Recorder = { ...recorder('small'), maxBufferSize: 2, batch: { size: 1 } };
    small.batches = [];
    const wide = recorder('wide');
    const dropped: string[] = [];
    const log = createLogger({ sinks: [small, wide], vars: {}, maxBufferSize: 10, onDropped: (events, reason, name) => events.forEach(() => dropped.push(`${name}:${reason}`)) });
    for (let i = 1; i <= 4; i++) log.info(`parked ${i}`);
    expect(dropped).toEqual(['small:overflow', 'small:overflow']);
    expect(log.stats().sinks.small).toMatchObject({ accepted: 4, dropped: 2, pending: 2 });
    expect(log.stats().sinks.wide).toMatchObject({ accepted: 4, dropped: 0, pending: 4 });

    dropped.length = 0;
    small.hang = true;
    const invocation = open(log, { url: '/burst' });
    for (let i = 1; i <= 4; i++) invocation.log.info(`burst ${i}`);
    // Four events pushed in one turn into an invocation buffer of 2: the two oldest are overflow.
    expect(dropped).toEqual(['small:overflow', 'small:overflow']);
    void invocation.finish({ status: 200 }, 100);
    await vi.advanceTimersByTimeAsync(100);
    invariant(log.stats().sinks.small!);
    invariant(log.stats().sinks.wide!);
  });

  test('a hanging sink: at the deadline the send is aborted, nothing is dropped, the next invocation delivers it', async () => {
    const sink = recorder();
    sink.hang = true;
    const reasons: DropReason[] = [];
    const log = createLogger({ sinks: [sink], vars: {}, onDropped: (events, reason) => events.forEach(() => reasons.push(reason)) });
    const invocation = open(log, { url: '/slow' });
    invocation.log.info('one');
    let settled = false;
    const finishing = invocation.finish({ status: 200 }, 500).then((r) => {
      settled = true;
      return r;
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const result = await finishing;
    expect(result).toMatchObject({ ok: false, delivered: 0, dropped: 0, pending: 2, timedOut: true });
    expect(reasons).toEqual([]);
    expect(log.stats().sinks.net).toMatchObject({ accepted: 2, delivered: 0, dropped: 0, pending: 2, failures: 0 });
    invariant(log.stats().sinks.net!);

    sink.hang = false;
    const next = open(log, { url: '/next' });
    const healthy = await next.finish({ status: 200 }, 500);
    expect(healthy).toMatchObject({ ok: true, delivered: 3, pending: 0, timedOut: false });
    expect(sink.batches.flat()).toEqual(['/next 200', 'one', '/slow 200']);
    expect(log.stats().sinks.net).toMatchObject({ accepted: 3, delivered: 3, dropped: 0, pending: 0 });
  });

  test('concurrent invocations keep their own pipelines; stats add up across them', async () => {
    const sink = recorder();
    const log = createLogger({ sinks: [sink], vars: {} });
    const a = open(log, { url: '/a' });
    const b = open(log, { url: '/b' });
    a.log.info('a1');
    b.log.info('b1');
    expect(log.stats().sinks.net).toMatchObject({ accepted: 2, pending: 2 });
    await b.finish({ status: 200 });
    expect(sink.batches).toEqual([['b1', '/b 200']]);
    await a.finish({ status: 200 });
    expect(sink.batches).toEqual([['b1', '/b 200'], ['a1', '/a 200']]);
    expect(log.stats().sinks.net).toMatchObject({ accepted: 4, delivered: 4, pending: 0 });
  });

  test("another logger's global-scope events ride with this logger's invocation", async () => {
    const bootSink = recorder('boot');
    const boot = createLogger({ sinks: [bootSink], vars: {} });
    boot.info('booted');
    const log = createLogger({ sinks: [recorder()], vars: {} });
    await open(log, { url: '/x' }).finish({ status: 200 });
    expect(bootSink.batches).toEqual([['booted']]);
    expect(boot.stats().sinks.boot).toMatchObject({ accepted: 1, delivered: 1, pending: 0 });
  });

  test("a logger used inside another logger's invocation keeps its own sinks (parked, then drained by it)", async () => {
    const aSink = recorder('a');
    const bSink = recorder('b');
    const a = createLogger({ sinks: [aSink], vars: {} });
    const b = createLogger({ sinks: [bSink], vars: {} });
    const invocation = open(b, { url: '/b' });
    // As AsyncLocalStorage would report inside b's invocation:
    (Logger.coreOf(a).route as PerInvocationRoute).delivery.current = () => invocation.owned as InvocationPipelines;
    a.info('from a');
    await invocation.finish({ status: 200 });
    expect(bSink.batches.flat()).toEqual(['/b 200']);
    expect(aSink.batches.flat()).toEqual(['from a']);
  });

  test('SHIPLOG_* overrides come from the vars given (a Worker env)', () => {
    const log = createLogger({ vars: { SHIPLOG_LEVEL: 'warn', SHIPLOG_ENDPOINT: 'https://logs.example/ingest' } });
    expect(log.level).toBe('warn');
    expect(Object.keys(log.stats().sinks)).toEqual(['console', 'http']);
  });
});
