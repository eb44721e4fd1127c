/**
 * `spooled(sink, options)`: wraps a network sink so that no batch is lost to an outage or a
 * restart. A batch that fails retryably (or times out, or is in flight at process exit) is
 * appended to a crash-safe queue on disk and counts as taken; a replay loop probes the sink with
 * backoff and sends the queue, oldest first, when it recovers, and at the next start. A batch the
 * receiver refuses for good goes to the dead-letter file. Events keep their lines (and `eventId`),
 * so a receiver that dedupes by id stores each once even when a crash makes a batch go twice.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { backoffDelay, classifyError, PIPELINE_DEFAULTS, randomId, type LogEvent, type Sink, type SinkContext } from '../../../src/index.js';
import { describeError, startTimer, clearTimer, type Timer } from '../../../src/util.js';
import type { SpooledBatch, DeadLetterReason } from './batch-record.js';
import { appendDeadLetter, readDeadLetters, removeDeadLetters } from './dead-letters.js';
import { acquireLock } from './lock.js';
import { REPLAY_DEFAULTS, SPOOL_DEFAULTS, type DeliveryStatus, type ReplayOptions, type SpoolDropReason, type SpoolOptions } from './options.js';
import { SpoolQueue } from './queue.js';
import { LOCK_FILE, requeueDeadLetters } from './spool-dir.js';

/** Spooled sinks with a queue open, for the process `exit` hook. */
const open = new Set<SpooledSink>();
const onProcessExit = (): void => {
  for (const sink of open) sink.exitSync();
};

/** A sink wrapped with a durable spool; see {@link spooled}. */
export class SpooledSink implements Sink {
  readonly name: string;
  readonly batch: Sink['batch'];
  readonly retry: Sink['retry'];
  readonly maxBufferSize: number | undefined;
  /** Longer than the spool's own send timeout, so the pipeline never gives up on a send first. */
  readonly timeoutMs: number;
  /** The spool directory of this sink. */
  readonly dir: string;
  readonly #inner: Sink;
  readonly #options: SpoolOptions;
  readonly #replay: Required<ReplayOptions>;
  readonly #sendTimeoutMs: number;
  #queue: SpoolQueue | undefined;
  #release: (() => void) | undefined;
  #lockedBy: number | undefined;
  #down = false;
  #closed = false;
  #liveInFlight: readonly LogEvent[] | undefined;
  #replaying: Promise<void> | undefined;
  #replayTimer: Timer | undefined;
  #failedProbes = 0;
  #headAttempts: { id: string; attempts: number } | undefined;
  /** Batches still to replay one at a time (after a merged request was refused). */
  #isolate = 0;
  /** Byte budget of one replayed request: the sink's batch budget. */
  readonly #replayBytes: number;
  #abortReplay: AbortController | undefined;
  #drainWaiters: (() => void)[] = [];
  #deadLetters = 0;
  #deadLetterEvents = 0;
  #spooled = 0;
  #replayed = 0;
  readonly #dropped: Record<SpoolDropReason, number> = { 'spool-full': 0, 'dead-letter': 0, 'disk-error': 0 };
  #lastSuccess: number | undefined;
  #lastFailure: number | undefined;
  #lastError: string | undefined;

  constructor(inner: Sink, options: SpoolOptions) {
    if (typeof options?.dir !== 'string' || options.dir === '') throw new TypeError('shiplog: spool option "dir" must be a non-empty string');
    this.#inner = inner;
    this.#options = options;
    this.name = inner.name;
    this.batch = inner.batch;
    this.retry = inner.retry;
    this.maxBufferSize = inner.maxBufferSize;
    this.#sendTimeoutMs = options.sendTimeoutMs ?? inner.timeoutMs ?? SPOOL_DEFAULTS.sendTimeoutMs;
    this.timeoutMs = this.#sendTimeoutMs + 5000;
    this.#replay = { ...REPLAY_DEFAULTS, ...options.replay };
    this.#replayBytes = inner.batch?.maxBytes ?? PIPELINE_DEFAULTS.batch.maxBytes;
    this.dir = join(options.dir, (options.name ?? inner.name).replace(/[^\w.#-]/g, '_'));
    const maxBytes = options.maxBytes ?? SPOOL_DEFAULTS.maxBytes;
    const lock = acquireLock(join(this.#ensureDir(), LOCK_FILE));
    if (!lock.ok) {
      this.#lockedBy = lock.heldBy; // another live process replays this spool: send without one
      return;
    }
    this.#release = lock.release;
    this.#queue = new SpoolQueue(this.dir, {
      maxBytes,
      segmentBytes: options.segmentBytes ?? Math.max(4096, Math.min(SPOOL_DEFAULTS.maxSegmentBytes, Math.floor(maxBytes / 8))),
      fsync: options.fsync ?? SPOOL_DEFAULTS.fsync,
    });
    for (const letter of readDeadLetters(this.dir)) this.#countDeadLetter(letter, 1);
    if (open.size === 0) process.on('exit', onProcessExit);
    open.add(this);
    if (this.#queue.pendingBatches > 0) this.#scheduleReplay(0); // left by the last run
  }

  /** Sends live when the sink is up and nothing waits on disk; otherwise spools at once. */
  write(batch: readonly LogEvent[], context: SinkContext): void | Promise<void> {
    const queue = this.#queue;
    if (queue === undefined || this.#closed) return this.#inner.write(batch, context);
    if (this.#down || queue.pendingBatches > 0 || this.#replaying !== undefined) {
      this.#spool(batch, 0, undefined); // keeps order behind the backlog; throws if the disk refuses
      return;
    }
    return this.#sendLive(batch, context);
  }

  /**
   * Spools synchronously: the pipeline calls this with its whole buffer when the buffer is full
   * (instead of dropping the oldest) and at process exit. Undefined without a spool.
   */
  get writeSync(): ((batch: readonly LogEvent[]) => void) | undefined {
    if (this.#queue === undefined || this.#closed) return undefined;
    return (batch) => this.#spool(batch, 0, undefined);
  }

  /**
   * Process `exit`: the batch being sent live goes to disk too (it may arrive twice; ids dedupe).
   * The queue stays open for the exit hooks' `flushSync` (which spools the pipeline's buffer
   * through `writeSync`), and the lock is left to the OS: a lock whose process is gone is stale
   * and taken over at the next start.
   */
  exitSync(): void {
    const inFlight = this.#liveInFlight;
    this.#liveInFlight = undefined;
    try {
      if (inFlight !== undefined && !this.#closed) this.#spool(inFlight, 0, 'in flight at exit');
    } catch {
      // Nothing can be reported any more.
    }
  }

  /** Stops replay (a batch being replayed stays on disk), releases the lock, closes the sink. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#replayTimer = clearTimer(this.#replayTimer);
    this.#abortReplay?.abort(new DOMException('spool closed', 'AbortError'));
    await this.#replaying;
    this.#shutdownSpool();
    for (const settle of this.#drainWaiters.splice(0)) settle();
    await this.#inner.close?.();
  }

  /**
   * Replays now (skipping the backoff) and resolves true once the spool is empty, or false at
   * the deadline or if the spool closes first. Never rejects.
   */
  drain(options: { timeoutMs?: number } = {}): Promise<boolean> {
    if (this.#queue === undefined || this.#closed) return Promise.resolve(this.#queue === undefined);
    if (this.#queue.pendingBatches === 0 && this.#liveInFlight === undefined) return Promise.resolve(true);
    this.#failedProbes = 0;
    this.#replayTimer = clearTimer(this.#replayTimer);
    this.#scheduleReplay(0);
    return new Promise((resolve) => {
      const timer = startTimer(options.timeoutMs ?? 10_000, true, () => resolve(false));
      this.#drainWaiters.push(() => {
        clearTimer(timer);
        resolve(this.#queue !== undefined && this.#queue.pendingBatches === 0);
      });
    });
  }

  /** The dead letters of this sink, oldest first. */
  deadLetters(): SpooledBatch[] {
    return readDeadLetters(this.dir);
  }

  /** Moves dead letters (all, or those with the given ids) back into the spool; they are replayed. */
  retryDeadLetters(ids?: readonly string[]): number {
    if (this.#queue === undefined) return 0;
    const moved = requeueDeadLetters(this.#queue, ids, (events) => this.#dropEvents(events, 'spool-full'));
    for (const letter of moved) this.#countDeadLetter(letter, -1);
    if (moved.length > 0) this.#scheduleReplay(0);
    return moved.length;
  }

  /** Deletes dead letters (all, or those with the given ids); returns how many batches. */
  clearDeadLetters(ids?: readonly string[]): number {
    if (this.#queue === undefined) return 0;
    const removed = removeDeadLetters(this.dir, (l) => ids === undefined || ids.length === 0 || ids.includes(l.id));
    for (const letter of removed) this.#countDeadLetter(letter, -1);
    return removed.length;
  }

  /** This sink's delivery state (pendingInMemory: the batch it is sending live). */
  deliveryStatus(): DeliveryStatus {
    const status: DeliveryStatus = {
      sink: this.name,
      state: this.#closed ? 'closed' : this.#queue === undefined ? 'locked' : this.#down ? 'down' : 'up',
      pendingInMemory: this.#liveInFlight?.length ?? 0,
      pendingOnDisk: this.#queue?.pendingEvents ?? 0,
      deadLetters: this.#deadLetters,
      deadLetterEvents: this.#deadLetterEvents,
      spooled: this.#spooled,
      replayed: this.#replayed,
      dropped: { ...this.#dropped },
      dir: this.dir,
    };
    if (this.#lockedBy !== undefined) status.lockedBy = this.#lockedBy;
    if (this.#lastSuccess !== undefined) status.lastSuccess = this.#lastSuccess;
    if (this.#lastFailure !== undefined) status.lastFailure = this.#lastFailure;
    if (this.#lastError !== undefined) status.lastError = this.#lastError;
    return status;
  }

  async #sendLive(batch: readonly LogEvent[], context: SinkContext): Promise<void> {
    this.#liveInFlight = batch;
    try {
      await this.#attempt(batch, context.attempt, context.signal);
      this.#succeeded();
    } catch (error) {
      this.#failed(error);
      if (!classifyError(error).retryable) {
        this.#toDeadLetters({ id: randomId(), spooledAt: Date.now(), attempts: 1, events: batch }, 'rejected', error);
        throw error; // the pipeline counts it as rejected
      }
      this.#down = true;
      this.#spool(batch, 1, describeError(error));
    } finally {
      this.#liveInFlight = undefined;
    }
  }

  /** One send through the inner sink, aborted after the spool's send timeout. */
  async #attempt(events: readonly LogEvent[], attempt: number, outer?: AbortSignal): Promise<void> {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onAbort, { once: true });
    if (outer === undefined) this.#abortReplay = controller; // a replay send: close() aborts it
    const timer = startTimer(this.#sendTimeoutMs, false, () =>
      controller.abort(new DOMException(`send timed out after ${this.#sendTimeoutMs} ms`, 'TimeoutError')),
    );
    try {
      await Promise.race([
        this.#inner.write(events, { signal: controller.signal, attempt }),
        new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })),
      ]);
    } finally {
      clearTimer(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }

  /** Appends a batch to the disk queue; throws (counted as `disk-error` only by the caller's pipeline) if the disk refuses. */
  #spool(events: readonly LogEvent[], attempts: number, lastError: string | undefined): void {
    const queue = this.#queue as SpoolQueue;
    const batch: SpooledBatch = { id: randomId(), spooledAt: Date.now(), attempts, events };
    if (lastError !== undefined) batch.lastError = lastError;
    try {
      queue.append(batch, (dropped) => this.#dropEvents(dropped, 'spool-full'));
    } catch (error) {
      this.#failed(error);
      throw error; // retryable (ENOSPC, EIO): the pipeline retries, then counts it
    }
    this.#spooled += events.length;
    this.#scheduleReplay(this.#down ? this.#probeDelay() : 0);
  }

  #scheduleReplay(delayMs: number): void {
    if (this.#closed || this.#replayTimer !== undefined || this.#replaying !== undefined) return;
    this.#replayTimer = startTimer(delayMs, false, () => {
      this.#replayTimer = undefined;
      this.#replaying = this.#replayQueue().finally(() => {
        this.#replaying = undefined;
        // Left over: the sink failed (probe again after a backoff) or batches were spooled meanwhile.
        if ((this.#queue?.pendingBatches ?? 0) > 0) this.#scheduleReplay(this.#down ? this.#probeDelay() : 0);
      });
    });
  }

  #probeDelay(): number {
    const { initialDelayMs, maxDelayMs } = this.#replay;
    return backoffDelay(Math.max(1, this.#failedProbes), { backoff: 'exponential', initialDelayMs, maxDelayMs, jitter: true, maxAttempts: Infinity });
  }

  /**
   * Sends the queue oldest first until it is empty, the sink fails (then probes later) or the
   * spool closes. Consecutive batches go out together (up to the sink's batch byte budget and
   * `replay.batchEvents`); a merged request the receiver refuses for good is retried one batch
   * at a time, so only the batch it refuses goes to the dead letters.
   */
  async #replayQueue(): Promise<void> {
    const queue = this.#queue;
    while (queue !== undefined && !this.#closed) {
      const single = this.#isolate > 0;
      const run = queue.headRun(single ? 1 : this.#replay.batchEvents, single ? Infinity : this.#replayBytes);
      const head = run[0];
      if (head === undefined) break;
      const last = (run.at(-1) as typeof head).position;
      const events = run.length === 1 ? head.batch.events : run.flatMap((r) => r.batch.events);
      const { batch } = head;
      // Records on disk are immutable: failed probes of the head batch are counted in memory.
      if (this.#headAttempts?.id === batch.id) batch.attempts = this.#headAttempts.attempts;
      try {
        await this.#attempt(events, batch.attempts + 1);
      } catch (error) {
        if (this.#closed) return; // aborted by close: the batches stay on disk
        this.#failed(error);
        const { retryable } = classifyError(error);
        if (!retryable && run.length > 1) {
          this.#isolate = run.length; // find the one the receiver refuses
          continue;
        }
        batch.attempts++;
        const budgetGone = batch.attempts >= this.#replay.maxAttempts || Date.now() - batch.spooledAt >= this.#replay.maxAgeMs;
        if (retryable && !budgetGone) {
          this.#down = true;
          this.#failedProbes++;
          this.#headAttempts = { id: batch.id, attempts: batch.attempts };
          return; // probed again after a backoff (see #scheduleReplay)
        }
        this.#toDeadLetters(batch, retryable ? 'replay-budget' : 'rejected', error);
        if (this.#isolate > 0) this.#isolate--;
        if (!this.#commit(head.position)) return;
        continue;
      }
      this.#succeeded();
      if (this.#isolate > 0) this.#isolate--;
      if (!this.#commit(last)) return;
      this.#replayed += events.length;
    }
    if (queue !== undefined && queue.pendingBatches === 0) for (const settle of this.#drainWaiters.splice(0)) settle();
  }

  #commit(position: Parameters<SpoolQueue['commit']>[0]): boolean {
    try {
      (this.#queue as SpoolQueue).commit(position);
      return true;
    } catch (error) {
      this.#failed(error);
      this.#down = true; // the disk failed, not the sink: retried after a backoff all the same
      return false;
    }
  }

  #toDeadLetters(batch: SpooledBatch, reason: DeadLetterReason, error: unknown): void {
    const letter: SpooledBatch = { ...batch, reason, lastError: describeError(error), deadAt: Date.now() };
    try {
      appendDeadLetter(this.dir, letter);
      this.#countDeadLetter(letter, 1);
      this.#dropEvents(batch.events, 'dead-letter');
    } catch (diskError) {
      this.#failed(diskError);
      this.#dropEvents(batch.events, 'disk-error');
    }
  }

  #countDeadLetter(letter: SpooledBatch, sign: 1 | -1): void {
    this.#deadLetters += sign;
    this.#deadLetterEvents += sign * letter.events.length;
  }

  #dropEvents(events: readonly LogEvent[], reason: SpoolDropReason): void {
    this.#dropped[reason] += events.length;
    try {
      this.#options.onDropped?.(events, reason, this.name);
    } catch {
      // A failing handler must not stop the spool.
    }
  }

  #succeeded(): void {
    this.#lastSuccess = Date.now();
    this.#down = false;
    this.#failedProbes = 0;
  }

  #failed(error: unknown): void {
    this.#lastFailure = Date.now();
    this.#lastError = describeError(error);
  }

  #ensureDir(): string {
    mkdirSync(this.dir, { recursive: true }); // before the queue: the lock file lives in it
    return this.dir;
  }

  #shutdownSpool(): void {
    open.delete(this);
    if (open.size === 0) process.removeListener('exit', onProcessExit);
    this.#queue?.close();
    this.#release?.();
    this.#release = undefined;
  }
}

/**
 * Wraps a sink with a durable on-disk spool (see docs/spool.md): `flush()` then resolves when
 * events are delivered **or** safely spooled, and spooled batches are replayed when the sink
 * recovers and at the next start.
 */
export function spooled(sink: Sink, options: SpoolOptions): SpooledSink {
  return new SpooledSink(sink, options);
}
