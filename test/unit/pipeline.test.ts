import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPipeline as createCorePipeline, SinkError, type DropReason, type LogEvent, type PipelineOptions } from '../../src/index.js';
import { createLeanPipeline, type LeanPipeline } from '../../src/lean/pipeline.js';
import { event, httpError, scriptedSink, seqOf } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * Every test runs against both pipelines: the core's (src/pipeline.ts) and the browser's lean one
 * (src/lean/pipeline.ts), so the two cannot drift apart.
 */
const PIPELINES: [string, (options: PipelineOptions) => LeanPipeline][] = [
  ['core Pipeline', createCorePipeline],
  ['lean browser pipeline', createLeanPipeline],
];

describe.each(PIPELINES)('%s', (_name, createPipeline) => {

  /** Lets queued microtasks (the pump) run without moving the clock. */
  const tick = () => vi.advanceTimersByTimeAsync(0);

  function setup(script: Parameters<typeof scriptedSink>[0] = [], options: Omit<PipelineOptions, 'sink'> = {}, sinkExtra: Parameters<typeof scriptedSink>[1] = {}) {
    const s = scriptedSink(script, sinkExtra);
    const drops: { events: readonly LogEvent[]; reason: DropReason }[] = [];
    const pipeline = createPipeline({
      sink: s.sink,
      retry: { jitter: false },
      onDropped: (events, reason) => drops.push({ events, reason }),
      ...options,
    });
    const invariant = () => {
      const st = pipeline.stats();
      expect(st.accepted).toBe(st.delivered + st.dropped + st.pending + st.handedOff);
    };
    return { ...s, pipeline, drops, invariant };
  }

  describe('batching', () => {
    it('sends when the buffered count reaches batch.size, and not before', async () => {
      const t = setup([], { batch: { size: 3, intervalMs: 0 } });
      t.pipeline.push(event(1));
      t.pipeline.push(event(2));
      await tick();
      expect(t.attempts).toHaveLength(0);
      t.pipeline.push(event(3));
      await tick();
      expect(t.attempts.map((a) => a.batch.map(seqOf))).toEqual([[1, 2, 3]]);
      t.invariant();
    });

    it('sends when buffered bytes reach batch.maxBytes, and keeps each batch within the budget', async () => {
      const t = setup([], { batch: { size: 100, maxBytes: 250, intervalMs: 0 } });
      for (let i = 1; i <= 3; i++) t.pipeline.push(event(i, Date.now(), 100));
      await tick();
      expect(t.attempts.length).toBeGreaterThan(0);
      for (const a of t.attempts) expect(a.batch.reduce((n, e) => n + e.line.length, 0)).toBeLessThanOrEqual(250);
      expect(t.attempts[0]?.batch.map(seqOf)).toEqual([1, 2]);
    });

    it('sends an event larger than maxBytes alone instead of holding it forever', async () => {
      const t = setup([], { batch: { size: 100, maxBytes: 50, intervalMs: 0 } });
      t.pipeline.push(event(1, Date.now(), 200));
      await tick();
      expect(t.delivered.map(seqOf)).toEqual([1]);
    });

    it('sends after intervalMs since the oldest buffered event', async () => {
      const t = setup([], { batch: { size: 100, intervalMs: 1000 } });
      t.pipeline.push(event(1));
      await vi.advanceTimersByTimeAsync(500);
      t.pipeline.push(event(2));
      await vi.advanceTimersByTimeAsync(499);
      expect(t.attempts).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(t.attempts.map((a) => a.batch.map(seqOf))).toEqual([[1, 2]]);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('intervalMs 0 means no timer: events wait for size or flush', async () => {
      const t = setup([], { batch: { size: 10, intervalMs: 0 } });
      t.pipeline.push(event(1));
      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(t.attempts).toHaveLength(0);
      await t.pipeline.flush();
      expect(t.delivered.map(seqOf)).toEqual([1]);
    });

    it('push never calls the sink synchronously', () => {
      const t = setup([], { batch: { size: 1 } });
      t.pipeline.push(event(1));
      expect(t.attempts).toHaveLength(0);
    });
  });

  describe('overflow', () => {
    it('drops the oldest event that is not in flight, reports it, and keeps the in-flight batch', async () => {
      const t = setup([{ kind: 'defer' }], { batch: { size: 2, intervalMs: 0 }, maxBufferSize: 3 });
      t.pipeline.push(event(1));
      t.pipeline.push(event(2));
      await tick(); // [1,2] in flight
      for (let i = 3; i <= 7; i++) t.pipeline.push(event(i)); // buffer holds 3: 5,6,7
      expect(t.drops.flatMap((d) => d.events.map(seqOf))).toEqual([3, 4]);
      expect(t.drops.every((d) => d.reason === 'overflow')).toBe(true);
      expect(t.pipeline.pending).toBe(5);
      t.invariant();
      t.deferred[0]?.resolve();
      await t.pipeline.flush();
      expect(t.delivered.map(seqOf)).toEqual([1, 2, 5, 6, 7]);
      t.invariant();
    });

    it('a throwing onDropped is contained', async () => {
      const s = scriptedSink([{ kind: 'hang' }]);
      const pipeline = createPipeline({
        sink: s.sink,
        batch: { size: 1, intervalMs: 0 },
        maxBufferSize: 1,
        onDropped: () => {
          throw new Error('handler bug');
        },
      });
      pipeline.push(event(1));
      await tick();
      expect(() => {
        pipeline.push(event(2));
        pipeline.push(event(3));
      }).not.toThrow();
      expect(pipeline.stats().droppedByReason.overflow).toBe(1);
    });

    it('writes through writeSync instead of dropping when the sink has one', () => {
      const written: number[] = [];
      const t = setup([], { batch: { size: 100, intervalMs: 0 }, maxBufferSize: 100 });
      const pipeline = createPipeline({
        sink: { ...t.sink, writeSync: (batch) => written.push(...batch.map(seqOf)) },
        batch: { size: 100, intervalMs: 0 },
        maxBufferSize: 100,
      });
      for (let i = 1; i <= 250; i++) pipeline.push(event(i));
      expect(written).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      const st = pipeline.stats();
      expect(st.dropped).toBe(0);
      expect(st.delivered + st.pending).toBe(250);
      expect(pipeline.flushSync()).toBe(50);
      expect(written).toHaveLength(250);
    });
    it('a failing full-buffer writeSync drops as overflow when retryable, rejected when final', () => {
      for (const [error, reason] of [[new TypeError('EAGAIN-like'), 'overflow'], [new SyntaxError('cannot encode'), 'rejected']] as const) {
        const reasons: string[] = [];
        const pipeline = createPipeline({
          sink: { name: 'disk', write: () => {}, writeSync: () => { throw error; } },
          batch: { size: 10, intervalMs: 0 },
          maxBufferSize: 10,
          onDropped: (_, r) => reasons.push(r),
        });
        for (let i = 1; i <= 11; i++) pipeline.push(event(i));
        expect(reasons).toEqual([reason]);
        expect(pipeline.stats()).toMatchObject({ dropped: 10, failures: 1, pending: 1 });
      }
    });

    it("a sink's own maxBufferSize wins over the pipeline option", () => {
      const t = setup([{ kind: 'hang' }], { batch: { size: 1, intervalMs: 0 }, maxBufferSize: 100 });
      const pipeline = createPipeline({ sink: { ...t.sink, maxBufferSize: 2 }, batch: { size: 1, intervalMs: 0 }, maxBufferSize: 100 });
      for (let i = 1; i <= 5; i++) pipeline.push(event(i));
      expect(pipeline.stats().droppedByReason.overflow).toBe(3);
    });
  });

  describe('sending', () => {
    it('keeps one send in flight; triggers during a send coalesce', async () => {
      const t = setup([{ kind: 'defer' }], { batch: { size: 1, intervalMs: 0 } });
      t.pipeline.push(event(1));
      await tick();
      for (let i = 2; i <= 5; i++) t.pipeline.push(event(i));
      await tick();
      expect(t.attempts).toHaveLength(1);
      t.deferred[0]?.resolve();
      await t.pipeline.flush();
      expect(t.peak()).toBe(1);
      expect(t.delivered.map(seqOf)).toEqual([1, 2, 3, 4, 5]);
    });

    it.each([
      ['network TypeError', new TypeError('fetch failed')],
      ['timeout', new DOMException('timed out', 'TimeoutError')],
      ['408', httpError(408)],
      ['429', httpError(429)],
      ['503', httpError(503)],
      ['status field 502', Object.assign(new Error('bad gateway'), { status: 502 })],
    ])('retries a retryable failure (%s) and then delivers', async (_, error) => {
      const t = setup([{ kind: 'fail', error }], { batch: { size: 1, intervalMs: 0 } });
      t.pipeline.push(event(1));
      await tick();
      expect(t.attempts).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1000);
      expect(t.delivered.map(seqOf)).toEqual([1]);
      expect(t.attempts[1]?.context.attempt).toBe(2);
      expect(t.pipeline.stats()).toMatchObject({ retries: 1, failures: 1, delivered: 1, dropped: 0 });
    });

    it.each([
      ['400', httpError(400)],
      ['413', httpError(413)],
      ['serialization (SyntaxError)', new SyntaxError('bad')],
      ['SinkError final', new SinkError('nope', { retryable: false })],
    ])('drops a final failure (%s) at once with reason rejected', async (_, error) => {
      const t = setup([{ kind: 'fail', error }], { batch: { size: 1, intervalMs: 0 } });
      t.pipeline.push(event(1));
      await tick();
      expect(t.attempts).toHaveLength(1);
      expect(t.drops).toEqual([{ events: [expect.objectContaining({ line: '{"n":1}' })], reason: 'rejected' }]);
      expect(vi.getTimerCount()).toBe(0);
      t.invariant();
    });

    it('classifies by type, not message text', async () => {
      const t = setup([{ kind: 'fail', error: new Error('HTTP 400 Bad Request') }], { batch: { size: 1, intervalMs: 0 } });
      t.pipeline.push(event(1));
      await tick();
      await vi.advanceTimersByTimeAsync(1000);
      expect(t.delivered).toHaveLength(1);
    });

    it('drops with retries-exhausted after maxAttempts, with exponential delays capped at maxDelayMs', async () => {
      const fail = { kind: 'fail', error: httpError(500) } as const;
      const t = setup([fail, fail, fail, fail], {
        batch: { size: 1, intervalMs: 0 },
        retry: { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 300, jitter: false },
      });
      t.pipeline.push(event(1));
      await tick();
      const times: number[] = [];
      for (let ms = 0; ms < 1000 && t.attempts.length < 4; ms += 10) {
        const before = t.attempts.length;
        await vi.advanceTimersByTimeAsync(10);
        if (t.attempts.length > before) times.push(ms + 10);
      }
      expect(times).toEqual([100, 300, 600]); // waits 100, 200, 300 (capped)
      expect(t.drops.map((d) => d.reason)).toEqual(['retries-exhausted']);
      expect(t.pipeline.stats()).toMatchObject({ retries: 3, failures: 4, dropped: 1 });
      expect(vi.getTimerCount()).toBe(0);
    });

    it('Retry-After wins over the backoff', async () => {
      const t = setup([{ kind: 'fail', error: httpError(429, 5000) }], { batch: { size: 1, intervalMs: 0 } });
      t.pipeline.push(event(1));
      await tick();
      await vi.advanceTimersByTimeAsync(4999);
      expect(t.attempts).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(t.attempts).toHaveLength(2);
    });

    it('aborts a hanging send at the send timeout and retries it', async () => {
      const t = setup([{ kind: 'hang' }], { batch: { size: 1, intervalMs: 0 }, sendTimeoutMs: 2000 });
      t.pipeline.push(event(1));
      await tick();
      await vi.advanceTimersByTimeAsync(2000);
      expect(t.attempts[0]?.context.signal.aborted).toBe(true);
      await vi.advanceTimersByTimeAsync(1000);
      expect(t.delivered.map(seqOf)).toEqual([1]);
      expect(t.pipeline.stats().lastError?.message).toMatch(/TimeoutError/);
    });

    it('a sink that throws synchronously is treated as a failed attempt', async () => {
      let calls = 0;
      const pipeline = createPipeline({
        sink: {
          name: 'sync-throw',
          write() {
            calls++;
            if (calls === 1) throw new TypeError('boom');
          },
        },
        batch: { size: 1, intervalMs: 0 },
        retry: { jitter: false },
      });
      pipeline.push(event(1));
      await tick();
      await vi.advanceTimersByTimeAsync(1000);
      expect(pipeline.stats()).toMatchObject({ delivered: 1, failures: 1 });
    });
  });

  describe('flush', () => {
    it('covers every event accepted before the call in as few round trips as batch limits allow', async () => {
      const t = setup([], { batch: { size: 4, intervalMs: 0 } });
      for (let i = 1; i <= 10; i++) t.pipeline.push(event(i));
      const result = await t.pipeline.flush();
      expect(result).toEqual({ ok: true, delivered: 10, dropped: 0, unconfirmed: 0, handedOff: 0, pending: 0, timedOut: false });
      // While flushing, batch.size (when to send) is lifted: one round trip.
      expect(t.attempts.map((a) => a.batch.length)).toEqual([10]);
    });

    it('while flushing, batches fill up to batch.maxBytes: 1,000 pending events of ~200 bytes leave in at most 2 sends', async () => {
      const t = setup([], { batch: { size: 50, intervalMs: 0 }, maxBufferSize: 1000 });
      for (let i = 1; i <= 1000; i++) t.pipeline.push(event(i, Date.now(), 190));
      // Nothing was flushing when the first 50 went: that batch is sized by batch.size.
      expect(await t.pipeline.flush()).toMatchObject({ ok: true, delivered: 1000, dropped: 0 });
      expect(t.attempts.length).toBeLessThanOrEqual(2);
      const bytes = t.attempts.map((a) => a.batch.reduce((n, e) => n + e.line.length, 0));
      for (const b of bytes) expect(b).toBeLessThanOrEqual(524_288);
      expect(t.attempts.flatMap((a) => a.batch).length).toBe(1000);
    });

    it('a batch.size the sink sets itself (rows per INSERT) stays a limit while flushing; maxBytes too', async () => {
      const sized = setup([], { batch: { intervalMs: 0 } }, { batch: { size: 4 } });
      for (let i = 1; i <= 10; i++) sized.pipeline.push(event(i));
      await sized.pipeline.flush();
      expect(sized.attempts.map((a) => a.batch.length)).toEqual([4, 4, 2]);
      const bytes = setup([], { batch: { size: 50, intervalMs: 0, maxBytes: 100 } });
      for (let i = 1; i <= 10; i++) bytes.pipeline.push(event(i, Date.now(), 30)); // ~45 bytes each
      await bytes.pipeline.flush();
      expect(bytes.attempts.map((a) => a.batch.length)).toEqual([2, 2, 2, 2, 2]);
    });

    it('waits for the in-flight send', async () => {
      const t = setup([{ kind: 'defer' }], { batch: { size: 1, intervalMs: 0 } });
      t.pipeline.push(event(1));
      await tick();
      let settled = false;
      const done = t.pipeline.flush().then((r) => {
        settled = true;
        return r;
      });
      await tick();
      expect(settled).toBe(false);
      t.deferred[0]?.resolve();
      expect(await done).toMatchObject({ ok: true, delivered: 1 });
    });

    it('resolves by its deadline with timedOut and what is pending; never rejects', async () => {
      const t = setup([{ kind: 'hang' }], { batch: { size: 1, intervalMs: 0 }, sendTimeoutMs: 60_000 });
      t.pipeline.push(event(1));
      t.pipeline.push(event(2));
      const flushed = t.pipeline.flush({ timeoutMs: 500 });
      await vi.advanceTimersByTimeAsync(500);
      expect(await flushed).toEqual({ ok: false, delivered: 0, dropped: 0, unconfirmed: 0, handedOff: 0, pending: 2, timedOut: true });
      t.invariant();
    });

    it.each([
      ['NaN', { timeoutMs: Number.NaN }],
      ['Infinity', { timeoutMs: Number.POSITIVE_INFINITY }],
      ['-1', { timeoutMs: -1 }],
      ['null options', null],
    ])('a flush given %s still has the default deadline (10 s); never rejects', async (_, options) => {
      const t = setup([{ kind: 'hang' }], { batch: { size: 1, intervalMs: 0 }, sendTimeoutMs: 60_000 });
      t.pipeline.push(event(1));
      let result: unknown;
      void t.pipeline.flush(options as never).then((r) => (result = r));
      await vi.advanceTimersByTimeAsync(9_999);
      expect(result).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(result).toEqual({ ok: false, delivered: 0, dropped: 0, unconfirmed: 0, handedOff: 0, pending: 1, timedOut: true });
    });

    it('resolves concurrent flushes, each for what it covers', async () => {
      const t = setup([{ kind: 'defer' }], { batch: { size: 1, intervalMs: 0 } });
      t.pipeline.push(event(1));
      const first = t.pipeline.flush();
      await tick();
      t.pipeline.push(event(2));
      const second = t.pipeline.flush();
      const third = t.pipeline.flush();
      t.deferred[0]?.resolve();
      const results = await Promise.all([first, second, third]);
      expect(results.map((r) => r.ok)).toEqual([true, true, true]);
      expect(t.delivered.map(seqOf)).toEqual([1, 2]);
    });

    it('reports drops that happen during the flush', async () => {
      const t = setup([{ kind: 'fail', error: httpError(400) }], { batch: { size: 5, intervalMs: 0 } });
      t.pipeline.push(event(1));
      t.pipeline.push(event(2));
      expect(await t.pipeline.flush()).toEqual({ ok: false, delivered: 0, dropped: 2, unconfirmed: 0, handedOff: 0, pending: 0, timedOut: false });
    });

    it('a write report splits a batch: handed off (unconfirmed) first, refused by the receiver last, the rest delivered', async () => {
      const reports = [{ handedOff: 2 }, { rejected: 1 }, { handedOff: 9, rejected: 9 }];
      const dropped: [number, DropReason][] = [];
      const pipeline = createPipeline({
        // The sink's own batch size holds during a flush (a logger-wide one is lifted to maxBytes).
        sink: { name: 'reporting', batch: { size: 3, intervalMs: 0 }, write: () => Promise.resolve(reports.shift()) },
        onDropped: (events, reason) => void dropped.push([events.length, reason]),
      });
      for (let i = 1; i <= 9; i++) pipeline.push(event(i));
      expect(await pipeline.flush()).toMatchObject({ ok: false, delivered: 3, handedOff: 5, dropped: 1, pending: 0 });
      expect(dropped).toEqual([[1, 'rejected']]);
      const stats = pipeline.stats();
      expect(stats.accepted).toBe(stats.delivered + stats.dropped + stats.pending + stats.handedOff);
    });

    it('a synchronous write or writeSync may report what it handed off too', async () => {
      const pipeline = createPipeline({
        sink: { name: 'spooling', write: () => ({ handedOff: 1 }), writeSync: (batch) => ({ handedOff: batch.length }) },
        batch: { size: 2, intervalMs: 0 },
        maxBufferSize: 2,
      });
      pipeline.push(event(1));
      pipeline.push(event(2));
      expect(await pipeline.flush()).toMatchObject({ delivered: 1, handedOff: 1 });
      pipeline.push(event(3));
      expect(pipeline.flushSync()).toBe(1);
      expect(pipeline.stats()).toMatchObject({ accepted: 3, delivered: 1, handedOff: 2, pending: 0 });
    });

    it('an empty pipeline flushes at once', async () => {
      const t = setup();
      expect(await t.pipeline.flush()).toEqual({ ok: true, delivered: 0, dropped: 0, unconfirmed: 0, handedOff: 0, pending: 0, timedOut: false });
      expect(vi.getTimerCount()).toBe(0);
    });

    it('pending counts the in-flight batch', async () => {
      const t = setup([{ kind: 'defer' }], { batch: { size: 2, intervalMs: 0 } });
      t.pipeline.push(event(1));
      t.pipeline.push(event(2));
      t.pipeline.push(event(3));
      await tick();
      expect(t.pipeline.stats()).toMatchObject({ inFlight: 2, pending: 3 });
      expect(t.pipeline.pending).toBe(3);
    });
  });

  describe('shutdown', () => {
    it('flushes, then drops what is left, aborts the send, stops every timer; later pushes are dropped', async () => {
      const t = setup([{ kind: 'hang' }], { batch: { size: 1, intervalMs: 1000 }, sendTimeoutMs: 60_000 });
      t.pipeline.push(event(1));
      t.pipeline.push(event(2));
      const closing = t.pipeline.shutdown({ timeoutMs: 100 });
      await vi.advanceTimersByTimeAsync(100);
      const result = await closing;
      // Both went in one send (the flush lifts batch.size); aborted, it may have arrived: unconfirmed, not a plain shutdown drop.
      expect(result).toMatchObject({ ok: false, dropped: 2, unconfirmed: 2, pending: 0, timedOut: true });
      expect(t.attempts[0]?.context.signal.aborted).toBe(true);
      expect(vi.getTimerCount()).toBe(0);
      t.pipeline.push(event(3));
      expect(t.pipeline.stats().droppedByReason).toMatchObject({ shutdown: 1, unconfirmed: 2 });
      t.invariant();
      expect(await t.pipeline.shutdown()).toBe(result);
    });

    it('closes the sink once', async () => {
      const close = vi.fn();
      const s = scriptedSink([], { close });
      const pipeline = createPipeline({ sink: s.sink });
      pipeline.push(event(1));
      expect(await pipeline.shutdown()).toMatchObject({ ok: true, delivered: 1 });
      await pipeline.shutdown();
      expect(close).toHaveBeenCalledTimes(1);
    });
  });

  describe('evacuate', () => {
    it('hands buffered events and a batch waiting between retries to the callback, in order', async () => {
      const t = setup([{ kind: 'fail', error: httpError(503) }], { batch: { size: 2, intervalMs: 0 } });
      t.pipeline.push(event(1));
      t.pipeline.push(event(2));
      await tick(); // [1,2] failed, sleeping before retry
      t.pipeline.push(event(3));
      const handed: number[] = [];
      t.pipeline.evacuate((events) => {
        handed.push(...events.map(seqOf));
        return 2;
      });
      expect(handed).toEqual([1, 2, 3]);
      // Handed to a beacon: nobody confirmed them, so handed off, not delivered.
      expect(t.pipeline.stats()).toMatchObject({ delivered: 0, handedOff: 2, pending: 1, inFlight: 0 });
      t.invariant();
      await vi.advanceTimersByTimeAsync(5000);
      await t.pipeline.flush();
      expect(t.delivered.map(seqOf)).toEqual([3]);
      t.invariant();
    });
  });

  describe('unchecked options (production builds check none)', () => {
    it('a count that is no count (0, NaN) takes its default: nothing hangs, every event is delivered', async () => {
      const t = setup([], { batch: { size: 0, maxBytes: Number.NaN, intervalMs: 0 }, maxBufferSize: 0, retry: { maxAttempts: 0, jitter: false }, sendTimeoutMs: Number.NaN });
      for (let i = 1; i <= 3; i++) t.pipeline.push(event(i));
      expect(await t.pipeline.flush()).toMatchObject({ ok: true, delivered: 3, dropped: 0 });
      expect(t.attempts.map((a) => a.batch.map(seqOf))).toEqual([[1, 2, 3]]);
      t.invariant();
    });
  });
});
