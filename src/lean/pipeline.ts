import { backoffDelay, MAX_RETRY_AFTER_MS } from '../backoff.js';
import type { LogEvent } from '../event.js';
import { reportedIn, sumResults } from '../delivery-counts.js';
import { idempotencyKeyOf } from '../event-id.js';
import { isRetryableStatus, writtenBefore } from '../sink-error.js';
import { flushDeadlineMs, pipelineSettings } from '../pipeline-settings.js';
import { type DropReason, type FlushOptions, type FlushResult, type PipelineOptions, type SinkContext, type SinkStats } from '../sink.js';
import { clearTimer, describeError, isMilliseconds, startTimer, type Timer } from '../util.js';

/**
 * The browser's own pipeline: the same rules as the core `Pipeline` (src/pipeline.ts) — buffer
 * bounded by `maxBufferSize` with drop-oldest, batches by count / bytes / age, one send in flight,
 * retries with backoff and jitter (`Retry-After` wins), a send timeout, flushes that resolve by
 * their deadline and never reject, `unconfirmed`/`handedOff` accounting, evacuation at page hide —
 * in closures instead of a class, without the parts only servers use (handing events over between
 * Workers invocations, aborting at an invocation's deadline). test/unit/pipeline.test.ts and
 * pipeline.property.test.ts run against both, so the two cannot drift apart.
 */
export interface LeanPipeline {
  /** Name in stats and drop reports. */
  readonly name: string;
  /** Buffered plus in flight. */
  readonly pending: number;
  /** Accepts one event. O(1) amortized; never throws, never awaits. */
  push(event: LogEvent): void;
  /** Settles every event accepted before the call, or resolves at the deadline with `timedOut`. Never rejects. */
  flush(options?: FlushOptions | null): Promise<FlushResult>;
  /** Flushes, drops what is left (`shutdown`, or `unconfirmed` for a send that may have arrived), closes the sink. */
  shutdown(options?: FlushOptions | null): Promise<FlushResult>;
  /** Writes everything buffered through the sink's `writeSync`, if it has one. */
  flushSync(): number;
  /** Hands buffered events (and a batch sleeping before a retry) to `send`; what it took counts as handed off. */
  evacuate(send: (events: readonly LogEvent[]) => number): void;
  /** Counters; accepted = delivered + dropped + pending + handedOff whenever nothing is mid-call. */
  stats(): SinkStats;
}

/** Sink writes and onDropped calls on the stack: what they log is sent in a later turn, not in a chain of microtasks. */
let feeding = 0;

type Outcome = 0 | 1 | { error: unknown }; // 0: delivered, 1: abandoned

/**
 * The core's `classifyError` (src/sink-error.ts) for what a browser sees, by type, never by
 * message text: a SinkError (or its shape) says itself; an HTTP status follows the HTTP rules
 * (408, 429, 5xx retryable; an answer means it arrived); a SyntaxError (cannot be encoded) is
 * final; anything else (a network TypeError, a timeout) is retryable and may have arrived. Not
 * here: Node's error codes for a connection never made, which no browser fetch error carries.
 */
function classify(error: unknown): { retryable: boolean; retryAfterMs: number | undefined; outcomeUnknown: boolean } {
  let retryable = true;
  let delay: unknown;
  let outcomeUnknown = true;
  try {
    const e = Object(error) as { name?: unknown; retryable?: unknown; retryAfterMs?: unknown; status?: unknown; statusCode?: unknown; outcomeUnknown?: unknown };
    const status = typeof e.status === 'number' ? e.status : e.statusCode;
    if (e.name === 'SinkError' && typeof e.retryable === 'boolean') {
      retryable = e.retryable;
      delay = e.retryAfterMs;
      outcomeUnknown = e.outcomeUnknown === true;
    } else if (typeof status === 'number' && status >= 400 && status < 600) {
      retryable = isRetryableStatus(status);
      outcomeUnknown = false;
    } else if (e.name === 'SyntaxError') retryable = outcomeUnknown = false;
  } catch {
    // A failure that cannot even be read (a Proxy, a throwing getter) is taken as transient.
  }
  // A delay that is not a finite number >= 0 could never arm a timer: the backoff is used instead.
  return { retryable, retryAfterMs: isMilliseconds(delay) ? Math.min(delay, MAX_RETRY_AFTER_MS) : undefined, outcomeUnknown };
}

/** Creates a lean pipeline for one sink (see {@link LeanPipeline}). */
export function createLeanPipeline(options: PipelineOptions): LeanPipeline {
  const { sink, onDropped, random = Math.random } = options;
  const { batch, sizeIsLimit, retry, sendTimeoutMs, capacity } = pipelineSettings(options);
  const { size, maxBytes, intervalMs } = batch;
  const byReason: Record<DropReason, number> = { overflow: 0, rejected: 0, 'retries-exhausted': 0, unconfirmed: 0, shutdown: 0 };
  let ring: LogEvent[] = [];
  let bytes = 0;
  let accepted = 0;
  let delivered = 0;
  let handedOff = 0;
  let dropped = 0;
  let retries = 0;
  let failures = 0;
  let lastError: SinkStats['lastError'];
  let inFlight: readonly LogEvent[] = [];
  let inFlightFirstSeq = 0;
  let mayHaveArrived = false;
  let abandon: (() => void) | null = null;
  let sleeping = false;
  let pumping = false;
  let yielding = false;
  let closed = false;
  let reporting = false;
  let flushTarget = 0;
  let timer: Timer | undefined;
  /** Pending flushes: each settles itself once everything it waits for is settled. */
  let waiters: (() => void)[] = [];
  let closing: Promise<FlushResult> | undefined;

  const record = (error: unknown): void => {
    lastError = { message: describeError(error), at: Date.now() };
  };

  const drop = (events: readonly LogEvent[], reason: DropReason): void => {
    if (events.length === 0) return;
    dropped += events.length;
    byReason[reason] += events.length;
    // Drops a handler causes (it logs into a full buffer) are counted, not reported again.
    if (onDropped && !reporting) {
      reporting = true;
      feeding++;
      try {
        onDropped(events, reason, pipeline.name);
      } catch {
        // A failing drop handler must not break delivery of everything else.
      }
      reporting = false;
      feeding--;
    }
    settleWaiters();
  };

  const isSettled = (target: number): boolean => accepted - ring.length >= target && (inFlight.length === 0 || inFlightFirstSeq > target);
  const settleWaiters = (): void => {
    for (const waiter of waiters) waiter();
  };

  const takeBuffered = (): LogEvent[] => {
    bytes = 0;
    return ring.splice(0);
  };

  /** Counts a batch the sink took: delivered, except what its WriteReport says was handed off (first) or refused (last). */
  const countTaken = (batch: readonly LogEvent[], report: unknown): void => {
    const n = batch.length;
    const { rejected, handedOff: handed } = reportedIn(report, n);
    handedOff += handed;
    delivered += n - rejected - handed;
    drop(batch.slice(n - rejected), 'rejected');
  };

  /** A failed write's batch: what its error says was written first is delivered, the rest dropped for `reason`. */
  const dropUnwritten = (batch: readonly LogEvent[], error: unknown, reason: DropReason): void => {
    const written = writtenBefore(error, batch.length);
    delivered += written;
    drop(batch.slice(written), reason);
  };

  const writeBufferedSync = (): number => {
    const events = takeBuffered();
    if (events.length === 0) return 0;
    try {
      countTaken(events, (sink.writeSync as (batch: readonly LogEvent[]) => unknown)(events));
    } catch (error) {
      failures++;
      record(error);
      dropUnwritten(events, error, classify(error).retryable ? 'overflow' : 'rejected');
    }
    return events.length;
  };

  const abandonInFlight = (): readonly LogEvent[] => {
    const batch = inFlight;
    abandon?.();
    inFlight = [];
    return batch;
  };

  const isDue = (): boolean =>
    ring.length > 0 &&
    !closed &&
    (ring.length >= size || bytes >= maxBytes || accepted - ring.length < flushTarget || (intervalMs > 0 && Date.now() - (ring[0] as LogEvent).time >= intervalMs));

  const onTimer = (): void => {
    timer = undefined;
    yielding = false;
    schedule();
  };
  const armTimer = (): void => {
    const oldest = ring[0];
    if (oldest && intervalMs > 0 && !closed) timer = startTimer(oldest.time + intervalMs - Date.now(), false, onTimer);
  };
  /** Sends in the next turn of the event loop, letting timers (flush deadlines) and I/O run first. */
  const yieldTurn = (): void => {
    clearTimer(timer);
    yielding = true;
    timer = startTimer(0, false, onTimer);
  };
  const schedule = (): void => {
    if (pumping || yielding || closed) return;
    if (feeding > 0) return yieldTurn();
    pumping = true;
    queueMicrotask(pump);
  };

  /** The one cancellable wait (a send or a retry sleep): `start`'s outcome, `onTimeout()` after `ms`, or 1 when abandoned. */
  const wait = <T>(ms: number, onTimeout: () => T, start?: (settle: (outcome: T) => boolean) => void, controller?: AbortController): Promise<T | 1> =>
    new Promise((resolve) => {
      const settle = (outcome: T | 1): boolean => {
        if (abandon !== stop) return false;
        abandon = null;
        clearTimer(waitTimer);
        resolve(outcome);
        return true;
      };
      const stop = (): void => {
        controller?.abort(new DOMException('pipeline abandoned the send', 'AbortError'));
        settle(1);
      };
      abandon = stop;
      const waitTimer = startTimer(ms, false, () => settle(onTimeout()));
      start?.(settle);
    });

  const settleDelivered = (batch: readonly LogEvent[], report: unknown): void => {
    inFlight = [];
    countTaken(batch, report);
    settleWaiters();
  };

  /** One send of the batch: a synchronous sink is settled at once, an asynchronous one raced against the timeout. */
  const attempt = async (batch: readonly LogEvent[], attemptNumber: number): Promise<Outcome> => {
    const controller = new AbortController();
    const context: SinkContext = {
      attempt: attemptNumber,
      signal: controller.signal,
      get idempotencyKey() {
        return idempotencyKeyOf(batch);
      },
    };
    const before = mayHaveArrived;
    let started = false;
    let outcome: Outcome;
    try {
      let written: unknown;
      feeding++;
      try {
        written = sink.write(batch, context);
      } finally {
        feeding--;
      }
      if (typeof (written as Promise<unknown> | undefined)?.then !== 'function') {
        settleDelivered(batch, written);
        return 0;
      }
      started = mayHaveArrived = true;
      outcome = await wait<Outcome>(
        sendTimeoutMs,
        () => {
          const error = new DOMException(`send timed out after ${sendTimeoutMs} ms`, 'TimeoutError');
          controller.abort(error);
          return { error };
        },
        (settle) =>
          (written as Promise<unknown>).then(
            (report) => void (settle(0) && settleDelivered(batch, report)),
            (error: unknown) => void settle({ error }),
          ),
        controller,
      );
    } catch (error) {
      outcome = { error };
    }
    if (typeof outcome === 'object') {
      failures++;
      record(outcome.error);
      // A sink that threw before returning a promise sent nothing, unless its error says otherwise.
      const unknown = started ? classify(outcome.error).outcomeUnknown : (outcome.error as { outcomeUnknown?: unknown } | null)?.outcomeUnknown === true;
      if (inFlight === batch) mayHaveArrived = before || unknown;
    }
    return outcome;
  };

  /** Sends one batch with retries; settles it as delivered or dropped unless it was taken away. */
  const send = async (batch: readonly LogEvent[]): Promise<void> => {
    for (let n = 1; ; n++) {
      const outcome = await attempt(batch, n);
      if (typeof outcome !== 'object' || inFlight !== batch) return;
      const { retryable, retryAfterMs } = classify(outcome.error);
      if (!retryable || n >= retry.maxAttempts) {
        inFlight = [];
        return dropUnwritten(batch, outcome.error, mayHaveArrived ? 'unconfirmed' : retryable ? 'retries-exhausted' : 'rejected');
      }
      retries++;
      sleeping = true;
      const slept = await wait(retryAfterMs ?? backoffDelay(n, retry, random), () => 0 as const);
      sleeping = false;
      if (slept === 1 || inFlight !== batch) return;
    }
  };

  /** The next batch: at most `size` events (lifted while a flush waits, unless the sink set it) and `maxBytes` bytes, at least one event. */
  const takeBatch = (): readonly LogEvent[] => {
    const limit = accepted - ring.length < flushTarget && !sizeIsLimit ? ring.length : size;
    let count = 0;
    let taken = 0;
    for (; count < ring.length && count < limit; count++) {
      const length = (ring[count] as LogEvent).line.length;
      if (count > 0 && taken + length > maxBytes) break;
      taken += length;
    }
    inFlightFirstSeq = accepted - ring.length + 1;
    bytes -= taken;
    mayHaveArrived = false;
    return (inFlight = ring.splice(0, count));
  };

  const pump = async (): Promise<void> => {
    // One run sends what was buffered plus at most a buffer's worth more; the rest in the next turn.
    let budget = ring.length + capacity;
    try {
      while (budget > 0 && isDue()) {
        const batch = takeBatch();
        budget -= batch.length;
        await send(batch);
      }
    } catch (error) {
      record(error);
      drop(abandonInFlight(), 'rejected');
    } finally {
      pumping = false;
      if (isDue()) yieldTurn();
      else if (yielding || timer === undefined) {
        timer = clearTimer(timer);
        yielding = false;
        armTimer();
      }
      // Else the age timer stays armed (as the core's: set for an older event, never late).
      settleWaiters();
    }
  };

  /** The counters a flush result is measured from: delivered, dropped, unconfirmed, handed off. */
  const mark = (): number[] => [delivered, dropped, byReason.unconfirmed, handedOff];
  const result = (start: number[], timedOut: boolean): FlushResult => {
    const droppedNow = dropped - (start[1] as number);
    return {
      ok: !timedOut && droppedNow === 0,
      delivered: delivered - (start[0] as number),
      dropped: droppedNow,
      unconfirmed: byReason.unconfirmed - (start[2] as number),
      handedOff: handedOff - (start[3] as number),
      pending: pipeline.pending,
      timedOut,
    };
  };

  const pipeline: LeanPipeline = {
    name: options.name ?? sink.name,
    get pending() {
      return ring.length + inFlight.length;
    },

    push(event) {
      accepted++;
      if (closed) return drop([event], 'shutdown');
      if (ring.length === capacity && sink.writeSync) writeBufferedSync();
      ring.push(event);
      bytes += event.line.length;
      if (ring.length > capacity) {
        const evicted = ring.shift() as LogEvent;
        bytes -= evicted.line.length;
        drop([evicted], 'overflow');
      }
      if (ring.length >= size || bytes >= maxBytes) schedule();
      else if (timer === undefined) armTimer();
    },

    flush(flushOptions) {
      const target = accepted;
      const start = mark();
      if (isSettled(target)) return Promise.resolve(result(start, false));
      flushTarget = Math.max(flushTarget, target);
      schedule();
      return new Promise((resolve) => {
        const settle = (timedOut: boolean): void => {
          clearTimer(deadline);
          waiters = waiters.filter((w) => w !== waiter);
          resolve(result(start, timedOut));
        };
        const waiter = (): void => void (isSettled(target) && settle(false));
        // The deadline keeps a Node process alive while someone awaits this flush (bounded by timeoutMs).
        const deadline = startTimer(flushDeadlineMs(flushOptions?.timeoutMs), true, () => settle(true));
        waiters.push(waiter);
      });
    },

    shutdown(flushOptions) {
      return (closing ??= pipeline.flush(flushOptions).then(async (flushed) => {
        closed = true;
        timer = clearTimer(timer);
        const before = mark();
        drop(abandonInFlight(), mayHaveArrived ? 'unconfirmed' : 'shutdown');
        drop(takeBuffered(), 'shutdown');
        try {
          await sink.close?.();
        } catch (error) {
          record(error);
        }
        // The flush's result plus what shutdown dropped; nothing is pending any more.
        return { ...sumResults([flushed, result(before, false)]), pending: 0 };
      }));
    },

    flushSync: () => (sink.writeSync ? writeBufferedSync() : 0),

    evacuate(take) {
      const events = [...(sleeping ? abandonInFlight() : []), ...takeBuffered()];
      if (events.length === 0) return;
      let taken = 0;
      try {
        taken = Math.max(0, Math.min(events.length, Math.floor(take(events))));
      } catch (error) {
        record(error);
      }
      handedOff += taken;
      if (taken < events.length) {
        // Back in order, what fits first; the excess (past the buffer's bound) is dropped as overflow.
        const rest = [...events.slice(taken), ...takeBuffered()];
        const excess = Math.max(0, rest.length - capacity);
        accepted -= rest.length - excess;
        for (let i = excess; i < rest.length; i++) pipeline.push(rest[i] as LogEvent);
        drop(rest.slice(0, excess), 'overflow');
      }
      settleWaiters();
    },

    stats() {
      const stats: SinkStats = {
        name: pipeline.name,
        accepted,
        delivered,
        handedOff,
        dropped,
        droppedByReason: { ...byReason },
        retries,
        failures,
        pending: pipeline.pending,
        inFlight: inFlight.length,
      };
      if (lastError) stats.lastError = { ...lastError };
      return stats;
    },
  };
  return pipeline;
}
