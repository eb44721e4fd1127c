import { backoffDelay, type RetryOptions } from './backoff.js';
import type { LogEvent } from './event.js';
import { DeliveryCounts, sumResults, type CountsMark } from './delivery-counts.js';
import { flushDeadlineMs, pipelineSettings } from './pipeline-settings.js';
import { RingBuffer } from './ring-buffer.js';
import { classifyError, writtenBefore } from './sink-error.js';
import { AttemptContext } from './sink-attempt.js';
import { clearTimer, startTimer, type Timer } from './util.js';
import {
  type BatchOptions,
  type DropReason,
  type FlushOptions,
  type FlushResult,
  type OnDropped,
  type PipelineOptions,
  type Sink,
  type SinkStats,
  type WriteReport,
} from './sink.js';

/** The sink contract and pipeline option/result types live in sink.ts; re-exported for importers of this file. */
export * from './sink.js';

/**
 * Sink writes and onDropped calls on the stack, across every pipeline. What they log feeds back
 * into a pipeline, and is sent in a later turn of the event loop, never in a chain of microtasks.
 */
let feeding = 0;

interface FlushWaiter {
  /** Sequence number of the last event the flush covers. */
  target: number;
  settle(timedOut: boolean): void;
}

/**
 * Buffer, batcher and sender for one sink: bounded ring buffer (drop-oldest), batches by
 * count / bytes / age, one send in flight, retries with backoff, deadline-bounded flush.
 */
export class Pipeline {
  /** Name in stats and drop reports. */
  readonly name: string;
  readonly #sink: Sink;
  readonly #batch: Required<BatchOptions>;
  /** The sink set `batch.size` itself (rows per INSERT, …): a limit even while flushing. */
  readonly #sizeIsLimit: boolean;
  readonly #retry: Required<RetryOptions>;
  readonly #sendTimeoutMs: number;
  readonly #onDropped: OnDropped | undefined;
  readonly #random: () => number;
  readonly #ring: RingBuffer<LogEvent>;
  #bufferedBytes = 0;

  readonly #counts = new DeliveryCounts();

  /** The batch being sent or waiting between retries; empty when none. */
  #inFlight: readonly LogEvent[] = [];
  /** Sequence number (1-based, in acceptance order) of the in-flight batch's first event. */
  #inFlightFirstSeq = 0;
  /** An attempt of the in-flight batch is running, or one ended with an unknown outcome: it may have arrived. */
  #mayHaveArrived = false;
  /** Settles the current send or retry sleep with 'abandoned' at once (aborting the send). */
  #abandon: (() => void) | null = null;
  #sleepingBetweenRetries = false;
  #pumping = false;
  #flushTarget = 0;
  #timer: Timer | undefined;
  /** `#timer` is the 0 ms one that continues sending in the next turn of the event loop. */
  #yielding = false;
  #waiters: FlushWaiter[] = [];
  #closed = false;
  /** Set by `abortInFlight`: nothing is sent until the next push or flush. */
  #held = false;
  /** Inside onDropped (drops it causes are counted, not reported again). */
  #reporting = false;
  #shutdownResult: Promise<FlushResult> | undefined;

  constructor(options: PipelineOptions) {
    const { sink } = options;
    this.#sink = sink;
    this.name = options.name ?? sink.name;
    const settings = pipelineSettings(options);
    this.#batch = settings.batch;
    this.#sizeIsLimit = settings.sizeIsLimit;
    this.#retry = settings.retry;
    this.#sendTimeoutMs = settings.sendTimeoutMs;
    this.#onDropped = options.onDropped;
    this.#random = options.random ?? Math.random;
    this.#ring = new RingBuffer(settings.capacity);
  }

  /** Buffered plus in flight. */
  get pending(): number {
    return this.#ring.length + this.#inFlight.length;
  }

  /** Accepts one event. O(1); never throws, never awaits, never calls the sink's async path. */
  push(event: LogEvent): void {
    this.#counts.accepted++;
    this.#held = false;
    if (this.#closed) return this.#drop([event], 'shutdown');
    const ring = this.#ring;
    if (ring.length === ring.capacity && this.#sink.writeSync !== undefined) this.#writeBufferedSync();
    const evicted = ring.push(event);
    this.#bufferedBytes += event.line.length;
    if (evicted !== undefined) {
      this.#bufferedBytes -= evicted.line.length;
      this.#drop([evicted], 'overflow');
    }
    if (ring.length >= this.#batch.size || this.#bufferedBytes >= this.#batch.maxBytes) this.#schedule();
    else if (this.#timer === undefined) this.#armTimer();
  }

  /**
   * Resolves once every event accepted before the call is delivered or dropped, or at the
   * deadline with `timedOut: true`. Never rejects.
   */
  flush(options?: FlushOptions): Promise<FlushResult> {
    const target = this.#counts.accepted;
    this.#held = false;
    const start = this.#counts.mark();
    if (this.#isSettled(target)) return Promise.resolve(this.#result(start, false));
    this.#flushTarget = Math.max(this.#flushTarget, target);
    this.#schedule();
    return new Promise((resolve) => {
      const waiter: FlushWaiter = {
        target,
        settle: (timedOut) => {
          clearTimer(timer);
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve(this.#result(start, timedOut));
        },
      };
      // The deadline keeps a Node process alive while someone awaits this flush (a script's
      // last `await log.flush()` must not exit mid-retry); it is bounded by timeoutMs.
      const timer = startTimer(flushDeadlineMs(options?.timeoutMs), true, () => waiter.settle(true));
      this.#waiters.push(waiter);
    });
  }

  /**
   * Flushes within the deadline, then drops what is left (reason `shutdown`), aborts the
   * in-flight send, stops every timer and closes the sink. Later pushes are dropped. Idempotent.
   */
  shutdown(options?: FlushOptions): Promise<FlushResult> {
    this.#shutdownResult ??= this.flush(options).then(async (flushed) => {
      this.#closed = true;
      this.#timer = clearTimer(this.#timer);
      const before = this.#counts.mark();
      // A send still running (or one that timed out) may have arrived: that is not a plain shutdown drop.
      this.#drop(this.#abandonInFlight(), this.#mayHaveArrived ? 'unconfirmed' : 'shutdown');
      this.#drop(this.#takeBuffered(), 'shutdown');
      try {
        await this.#sink.close?.();
      } catch (error) {
        this.#recordError(error);
      }
      // The flush's result plus what shutdown dropped; nothing is pending any more.
      return { ...sumResults([flushed, this.#counts.since(before, 0, false)]), pending: 0 };
    });
    return this.#shutdownResult;
  }

  /**
   * Writes everything buffered through the sink's `writeSync`, if it has one (process exit).
   * Returns the number of events written.
   */
  flushSync(): number {
    return this.#sink.writeSync === undefined ? 0 : this.#writeBufferedSync();
  }

  /**
   * Hands every buffered event, plus a batch that is waiting between retries, synchronously to
   * `send` (e.g. sendBeacon when a page hides). `send` returns how many events, from the start,
   * it took; those count as `handedOff` (nobody confirmed them: not delivered), the rest go back
   * to the buffer in order.
   */
  evacuate(send: (events: readonly LogEvent[]) => number): void {
    const events = [...(this.#sleepingBetweenRetries ? this.#abandonInFlight() : []), ...this.#takeBuffered()];
    if (events.length === 0) return;
    let taken = 0;
    try {
      taken = Math.max(0, Math.min(events.length, Math.floor(send(events))));
    } catch (error) {
      this.#recordError(error);
    }
    this.#counts.handedOff += taken;
    if (taken < events.length) {
      // Back in order, what fits first: dropping the excess while pushing would let what onDropped
      // logs slip in between the events put back.
      const rest = [...events.slice(taken), ...this.#takeBuffered()];
      const excess = Math.max(0, rest.length - this.#ring.capacity);
      this.#counts.accepted -= rest.length - excess;
      for (let i = excess; i < rest.length; i++) this.push(rest[i] as LogEvent);
      this.#drop(rest.slice(0, excess), 'overflow');
    }
    this.#settleWaiters();
  }

  /**
   * Removes every pending event (the send in flight is aborted, a batch waiting between retries
   * taken too) without counting an outcome: accepted goes down by as many, for another pipeline
   * to deliver them (Workers hand an ended invocation's leftovers to the next invocation).
   */
  handOver(): LogEvent[] {
    const events = [...this.#abandonInFlight(), ...this.#takeBuffered()];
    this.#counts.accepted -= events.length;
    this.#settleWaiters();
    return events;
  }

  /**
   * Aborts the send in flight at an invocation's deadline: its batch goes back to the head of
   * the buffer (still pending, not counted as a failed attempt) and nothing is sent until the
   * next push or flush, so a hung connection is not carried into a frozen sandbox and the next
   * invocation sends the events afresh. Returns how many events went back.
   */
  abortInFlight(): number {
    if (this.#inFlight.length === 0) return 0;
    const events = this.handOver();
    const excess = Math.max(0, events.length - this.#ring.capacity);
    for (let i = excess; i < events.length; i++) this.push(events[i] as LogEvent);
    this.#drop(events.slice(0, excess), 'overflow');
    this.#held = this.#waiters.length === 0;
    return events.length - excess;
  }

  /** This pipeline's counters; accepted = delivered + dropped + pending + handedOff whenever nothing is mid-call. */
  stats(): SinkStats {
    return this.#counts.stats(this.name, this.pending, this.#inFlight.length);
  }

  #schedule(): void {
    if (this.#pumping || this.#yielding || this.#closed) return;
    if (feeding > 0) return this.#yield();
    this.#pumping = true;
    queueMicrotask(() => void this.#pump());
  }

  /** Starts the timer that sends the oldest buffered event once it is `intervalMs` old (0 = no timer). */
  #armTimer(): void {
    const oldest = this.#ring.peek();
    const { intervalMs } = this.#batch;
    if (oldest === undefined || intervalMs <= 0 || this.#closed || this.#held) return;
    this.#timer = startTimer(oldest.time + intervalMs - Date.now(), false, this.#onTimer);
  }

  /** Sends in the next turn of the event loop, letting timers (flush deadlines) and I/O run first. */
  #yield(): void {
    clearTimer(this.#timer);
    this.#yielding = true;
    this.#timer = startTimer(0, false, this.#onTimer);
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#yielding = false;
    this.#schedule();
  };

  /** Whether a batch should go out now. */
  #isDue(): boolean {
    const ring = this.#ring;
    if (ring.length === 0 || this.#closed || this.#held) return false;
    if (ring.length >= this.#batch.size || this.#bufferedBytes >= this.#batch.maxBytes) return true;
    if (this.#counts.accepted - ring.length < this.#flushTarget) return true;
    const { intervalMs } = this.#batch;
    return intervalMs > 0 && Date.now() - (ring.peek() as LogEvent).time >= intervalMs;
  }

  async #pump(): Promise<void> {
    // One run sends what was buffered when it began plus at most a buffer's worth more; the rest
    // goes out in the next turn of the event loop. A sink (or onDropped) that logs as it writes
    // would otherwise keep the run going forever in microtasks, starving every timer and deadline.
    let budget = this.#ring.length + this.#ring.capacity;
    try {
      while (budget > 0 && this.#isDue()) {
        const batch = this.#takeBatch();
        budget -= batch.length;
        await this.#send(batch);
      }
    } catch (error) {
      // Nothing in a send is meant to throw; if something does, its batch is settled, not left hanging.
      this.#recordError(error);
      this.#drop(this.#abandonInFlight(), 'rejected');
    } finally {
      this.#pumping = false;
      if (this.#isDue()) this.#yield();
      else if (this.#yielding || this.#timer === undefined) {
        this.#timer = clearTimer(this.#timer);
        this.#yielding = false;
        this.#armTimer();
      }
      // Else the age timer stays armed: it was set for an event older than any left (so it is never
      // late), and when it fires it re-arms for what is then the oldest. Re-arming after every batch
      // cost a setTimeout and a clearTimeout per batch.
      this.#settleWaiters();
    }
  }

  /**
   * Removes the next batch from the ring: at most `size` events and `maxBytes` bytes (at least
   * one event). While a flush waits for buffered events, `size` (when to send, not how much) is
   * lifted and the batch fills up to `maxBytes`: a backlog leaves in as few round trips as the
   * byte budget allows. A `size` the sink set itself stays a limit.
   */
  #takeBatch(): readonly LogEvent[] {
    const { maxBytes } = this.#batch;
    const ring = this.#ring;
    const flushing = this.#counts.accepted - ring.length < this.#flushTarget;
    const size = flushing && !this.#sizeIsLimit ? ring.length : this.#batch.size;
    let count = 0;
    let bytes = 0;
    while (count < ring.length && count < size) {
      const length = (ring.at(count) as LogEvent).line.length;
      if (count > 0 && bytes + length > maxBytes) break;
      bytes += length;
      count++;
    }
    this.#inFlightFirstSeq = this.#counts.accepted - ring.length + 1;
    this.#bufferedBytes -= bytes;
    const batch = ring.take(count);
    this.#inFlight = batch;
    this.#mayHaveArrived = false;
    return batch;
  }

  #takeBuffered(): LogEvent[] {
    this.#bufferedBytes = 0;
    return this.#ring.take(this.#ring.length);
  }

  #writeBufferedSync(): number {
    const events = this.#takeBuffered();
    if (events.length === 0) return 0;
    try {
      this.#countTaken(events, (this.#sink.writeSync as (batch: readonly LogEvent[]) => unknown)(events));
    } catch (error) {
      this.#counts.failures++;
      this.#recordError(error);
      // What the sink wrote before failing (a disk that filled up mid-write) is delivered; no retry
      // is possible for the rest (the buffer is full): a retryable failure is an overflow.
      const written = writtenBefore(error, events.length);
      this.#counts.delivered += written;
      this.#drop(events.slice(written), classifyError(error).retryable ? 'overflow' : 'rejected');
    }
    return events.length;
  }

  /** Sends one batch with retries; settles it as delivered or dropped unless it was abandoned. */
  async #send(batch: readonly LogEvent[]): Promise<void> {
    for (let attemptNumber = 1; ; attemptNumber++) {
      const outcome = await this.#attemptOnce(batch, attemptNumber);
      // Delivered is counted when the sink settles; while this await resumed, shutdown or evacuate
      // may have taken the batch away (and settled it), so it must not be retried or dropped again.
      if (outcome === 'abandoned' || outcome === 'delivered' || this.#inFlight !== batch) return;
      const { retryable, retryAfterMs } = classifyError(outcome.error);
      const exhausted = attemptNumber >= this.#retry.maxAttempts;
      if (!retryable || exhausted) {
        this.#inFlight = [];
        // The part the sink says it delivered (its progress is kept across attempts) is delivered.
        const written = writtenBefore(outcome.error, batch.length);
        this.#counts.delivered += written;
        // An earlier attempt that may have arrived makes the whole batch's fate unknown.
        return this.#drop(batch.slice(written), this.#mayHaveArrived ? 'unconfirmed' : retryable ? 'retries-exhausted' : 'rejected');
      }
      this.#counts.retries++;
      const delay = retryAfterMs ?? backoffDelay(attemptNumber, this.#retry, this.#random);
      this.#sleepingBetweenRetries = true;
      const slept = await this.#wait(delay, () => 'slept' as const);
      this.#sleepingBetweenRetries = false;
      if (slept === 'abandoned' || this.#inFlight !== batch) return;
    }
  }

  /**
   * One send of the batch. A synchronous sink (console, file) is settled at once; an
   * asynchronous one is raced against the send timeout and against abandonment.
   */
  async #attemptOnce(batch: readonly LogEvent[], attempt: number): Promise<'delivered' | 'abandoned' | { error: unknown }> {
    const context = new AttemptContext(attempt, batch);
    let outcome: 'delivered' | 'abandoned' | { error: unknown };
    const mayHaveArrived = this.#mayHaveArrived;
    /** The sink returned a promise: the batch may be on its way from here on. */
    let started = false;
    try {
      let written: void | WriteReport | Promise<void | WriteReport>;
      feeding++;
      try {
        written = this.#sink.write(batch, context);
      } finally {
        feeding--;
      }
      if (written === undefined || typeof (written as Promise<unknown>).then !== 'function') {
        this.#settleDelivered(batch, written);
        return 'delivered';
      }
      started = true;
      this.#mayHaveArrived = true;
      outcome = await this.#wait<'delivered' | { error: unknown }>(
        this.#sendTimeoutMs,
        () => {
          const error = new DOMException(`send timed out after ${this.#sendTimeoutMs} ms`, 'TimeoutError');
          context.abort(error);
          return { error };
        },
        (settle) =>
          (written as Promise<void | WriteReport>).then(
            (report) => {
              if (settle('delivered')) this.#settleDelivered(batch, report);
            },
            (error: unknown) => settle({ error }),
          ),
        context,
      );
    } catch (error) {
      outcome = { error };
    }
    if (typeof outcome === 'object') {
      this.#counts.failures++;
      this.#recordError(outcome.error);
      // A sink that threw before returning a promise sent nothing, unless its SinkError says otherwise.
      const unknown = started ? classifyError(outcome.error).outcomeUnknown : (outcome.error as { outcomeUnknown?: unknown } | null)?.outcomeUnknown === true;
      if (this.#inFlight === batch) this.#mayHaveArrived = mayHaveArrived || unknown;
    }
    return outcome;
  }

  /**
   * The one cancellable wait of this pipeline (a send or a retry sleep): settles with what
   * `start` reports, with `onTimeout` after `ms`, or with 'abandoned' when shutdown or
   * evacuate takes the batch away.
   */
  #wait<T>(
    ms: number,
    onTimeout: () => T,
    start?: (settle: (outcome: T) => boolean) => void,
    context?: AttemptContext,
  ): Promise<T | 'abandoned'> {
    return new Promise((resolve) => {
      /** False when the wait was already settled (timed out, abandoned). */
      const settle = (outcome: T | 'abandoned'): boolean => {
        if (this.#abandon !== abandon) return false;
        this.#abandon = null;
        clearTimer(timer);
        resolve(outcome);
        return true;
      };
      const abandon = (): void => {
        context?.abort(new DOMException('pipeline abandoned the send', 'AbortError'));
        settle('abandoned');
      };
      this.#abandon = abandon;
      const timer = startTimer(ms, false, () => settle(onTimeout()));
      start?.(settle);
    });
  }

  /** The sink took the in-flight batch: counted at once, before any await lets shutdown or evacuate take it. */
  #settleDelivered(batch: readonly LogEvent[], report: unknown): void {
    this.#inFlight = [];
    this.#countTaken(batch, report);
    this.#settleWaiters();
  }

  /** Counts a batch the sink took (see {@link DeliveryCounts.countTaken}); what the receiver refused is dropped. */
  #countTaken(batch: readonly LogEvent[], report: unknown): void {
    const rejected = this.#counts.countTaken(batch.length, report);
    if (rejected > 0) this.#drop(batch.slice(batch.length - rejected), 'rejected');
  }

  /** Takes the in-flight batch away from its send (which then ends without settling it). */
  #abandonInFlight(): readonly LogEvent[] {
    const batch = this.#inFlight;
    this.#abandon?.();
    this.#inFlight = [];
    return batch;
  }

  #drop(events: readonly LogEvent[], reason: DropReason): void {
    if (events.length === 0) return;
    this.#counts.countDropped(events.length, reason);
    // A handler that logs into a full buffer (or after shutdown) drops again: those drops are
    // counted but not reported to it, or each report would cause the next without end.
    if (this.#onDropped !== undefined && !this.#reporting) {
      this.#reporting = true;
      feeding++;
      try {
        this.#onDropped(events, reason, this.name);
      } catch {
        // A failing drop handler must not break delivery of everything else.
      } finally {
        this.#reporting = false;
        feeding--;
      }
    }
    this.#settleWaiters();
  }

  #recordError(error: unknown): void {
    this.#counts.recordError(error);
  }

  /** Every event up to sequence number `target` has left the buffer and is not in flight. */
  #isSettled(target: number): boolean {
    return this.#counts.accepted - this.#ring.length >= target && (this.#inFlight.length === 0 || this.#inFlightFirstSeq > target);
  }

  #settleWaiters(): void {
    for (const waiter of this.#waiters) if (this.#isSettled(waiter.target)) waiter.settle(false);
  }

  #result(start: CountsMark, timedOut: boolean): FlushResult {
    return this.#counts.since(start, this.pending, timedOut);
  }
}

/** Creates a pipeline for one sink (for custom drains; loggers create their own). */
export function createPipeline(options: PipelineOptions): Pipeline {
  return new Pipeline(options);
}
