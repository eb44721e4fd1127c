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
import { classifyError, PIPELINE_DEFAULTS, randomId, type LogEvent, type Sink, type SinkContext, type WriteReport, describeError } from './core.js';
import { SpoolCounters } from './counters.js';
import { sendAttempt } from './send-attempt.js';
import type { SpooledBatch, DeadLetterReason } from './batch-record.js';
import { appendDeadLetter, readDeadLetters, removeDeadLetters } from './dead-letters.js';
import { acquireLock } from './lock.js';
import { REPLAY_DEFAULTS, SPOOL_DEFAULTS, type DeliveryStatus, type SpoolOptions } from './options.js';
import { SpoolQueue } from './queue.js';
import { Replayer } from './replayer.js';
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
  readonly #sendTimeoutMs: number;
  readonly #counters: SpoolCounters;
  #queue: SpoolQueue | undefined;
  #replayer: Replayer | undefined;
  #release: (() => void) | undefined;
  #lockedBy: number | undefined;
  /** Why the spool could not be opened (then the sink sends without one). */
  #openError: string | undefined;
  #closed = false;
  #liveInFlight: readonly LogEvent[] | undefined;
  readonly #options: SpoolOptions;
  /** When the lock was last tried while another process held it. */
  #lockTriedAt = 0;

  constructor(inner: Sink, options: SpoolOptions) {
    if (typeof options?.dir !== 'string' || options.dir === '') throw new TypeError('shiplog: spool option "dir" must be a non-empty string');
    this.#inner = inner;
    this.#options = options;
    this.name = inner.name;
    this.#counters = new SpoolCounters(inner.name, options.onDropped);
    this.batch = inner.batch;
    this.retry = inner.retry;
    this.maxBufferSize = inner.maxBufferSize;
    this.#sendTimeoutMs = options.sendTimeoutMs ?? inner.timeoutMs ?? SPOOL_DEFAULTS.sendTimeoutMs;
    this.timeoutMs = this.#sendTimeoutMs + 5000;
    this.dir = join(options.dir, (options.name ?? inner.name).replace(/[^\w.#-]/g, '_'));
    try {
      this.#open(options);
    } catch (error) {
      // A spool that cannot be opened (permissions, a file in the way) must not stop the app from
      // starting: the sink sends without one, and deliveryStatus() says why.
      this.#release?.();
      this.#queue = undefined;
      this.#openError = describeError(error);
      this.#counters.failed(error);
      return;
    }
    this.#started();
  }

  /** The spool is open: the exit hook, and replay of what the last run left. */
  #started(): void {
    if (this.#queue === undefined) return;
    this.#lockedBy = undefined;
    if (open.size === 0) process.on('exit', onProcessExit);
    open.add(this);
    if (this.#queue.pendingBatches > 0) this.#replayer?.schedule(0);
  }

  /** While another process holds the lock, tries again at most once a second (it may have been a passing tool). */
  #retryLock(): void {
    const now = Date.now();
    if (now - this.#lockTriedAt < 1000) return;
    this.#lockTriedAt = now;
    try {
      this.#open(this.#options);
      this.#started();
    } catch {
      // Still not openable: sending without a spool, as before.
    }
  }

  #open(options: SpoolOptions): void {
    mkdirSync(this.dir, { recursive: true });
    const lock = acquireLock(join(this.dir, LOCK_FILE));
    if (!lock.ok) {
      this.#lockedBy = lock.heldBy; // another live process replays this spool: send without one
      return;
    }
    this.#release = lock.release;
    const maxBytes = options.maxBytes ?? SPOOL_DEFAULTS.maxBytes;
    const queue = new SpoolQueue(this.dir, {
      maxBytes,
      segmentBytes: options.segmentBytes ?? Math.max(4096, Math.min(SPOOL_DEFAULTS.maxSegmentBytes, Math.floor(maxBytes / 8))),
      fsync: options.fsync ?? SPOOL_DEFAULTS.fsync,
    });
    for (const letter of readDeadLetters(this.dir)) this.#counters.countDeadLetter(letter, 1);
    this.#replayer = new Replayer(queue, { ...REPLAY_DEFAULTS, ...options.replay }, this.#inner.batch?.maxBytes ?? PIPELINE_DEFAULTS.batch.maxBytes, {
      send: (events, attempt, controller) => sendAttempt(this.#inner, events, attempt, this.#sendTimeoutMs, controller),
      toDeadLetters: (batch, reason, error) => this.#toDeadLetters(batch, reason, error),
      counters: this.#counters,
    });
    this.#queue = queue;
  }

  /** Sends live when the sink is up and nothing waits on disk; otherwise spools at once. */
  write(batch: readonly LogEvent[], context: SinkContext): void | WriteReport | Promise<void | WriteReport> {
    const queue = this.#queue;
    const replayer = this.#replayer;
    if (queue === undefined || replayer === undefined || this.#closed) {
      if (this.#lockedBy !== undefined && !this.#closed) this.#retryLock(); // used from the next batch on
      return this.#inner.write(batch, context);
    }
    if (replayer.down || replayer.busy || queue.pendingBatches > 0) {
      return this.#spool(batch, 0, undefined); // keeps order behind the backlog; throws if the disk refuses
    }
    return this.#sendLive(batch, context);
  }

  /**
   * Spools synchronously: the pipeline calls this with its whole buffer when the buffer is full
   * (instead of dropping the oldest) and at process exit. Undefined without a spool.
   */
  get writeSync(): ((batch: readonly LogEvent[]) => WriteReport) | undefined {
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
    await this.#replayer?.close();
    open.delete(this);
    if (open.size === 0) process.removeListener('exit', onProcessExit);
    this.#queue?.close();
    this.#release?.();
    this.#release = undefined;
    await this.#inner.close?.();
  }

  /**
   * Replays now (skipping the backoff) and resolves true once the spool is empty, or false at
   * the deadline or if the spool closes first. Never rejects. True at once without a spool.
   * @default timeoutMs 10000
   */
  drain(options: { timeoutMs?: number } = {}): Promise<boolean> {
    if (this.#replayer === undefined) return Promise.resolve(!this.#closed);
    return this.#replayer.drain(options.timeoutMs ?? 10_000);
  }

  /** The dead letters of this sink, oldest first. */
  deadLetters(): SpooledBatch[] {
    return readDeadLetters(this.dir);
  }

  /** Moves dead letters (all, or those with the given ids) back into the spool; they are replayed. */
  retryDeadLetters(ids?: readonly string[]): number {
    if (this.#queue === undefined) return 0;
    const moved = requeueDeadLetters(this.#queue, ids, (events) => this.#counters.drop(events, 'spool-full'));
    for (const letter of moved) this.#counters.countDeadLetter(letter, -1);
    if (moved.length > 0) this.#replayer?.schedule(0);
    return moved.length;
  }

  /** Deletes dead letters (all, or those with the given ids); returns how many batches. */
  clearDeadLetters(ids?: readonly string[]): number {
    if (this.#queue === undefined) return 0;
    const removed = removeDeadLetters(this.dir, (l) => ids === undefined || ids.length === 0 || ids.includes(l.id));
    for (const letter of removed) this.#counters.countDeadLetter(letter, -1);
    return removed.length;
  }

  /** This sink's delivery state (pendingInMemory: the batch it is sending live). */
  deliveryStatus(): DeliveryStatus {
    const state = this.#closed ? 'closed' : this.#openError !== undefined ? 'no-spool' : this.#queue === undefined ? 'locked' : this.#replayer?.down ? 'down' : 'up';
    const status = this.#counters.status({
      sink: this.name,
      state,
      pendingInMemory: this.#liveInFlight?.length ?? 0,
      pendingOnDisk: this.#queue?.pendingEvents ?? 0,
      dir: this.dir,
    });
    if (this.#lockedBy !== undefined) status.lockedBy = this.#lockedBy;
    return status;
  }

  async #sendLive(batch: readonly LogEvent[], context: SinkContext): Promise<void | WriteReport> {
    this.#liveInFlight = batch;
    try {
      await sendAttempt(this.#inner, batch, context.attempt, this.#sendTimeoutMs, new AbortController(), context);
      this.#counters.succeeded();
      this.#replayer?.succeeded();
    } catch (error) {
      this.#counters.failed(error);
      if (!classifyError(error).retryable) {
        this.#toDeadLetters({ id: randomId(), spooledAt: Date.now(), attempts: 1, events: batch }, 'rejected', error);
        throw error; // the pipeline counts it as rejected
      }
      (this.#replayer as Replayer).down = true;
      return this.#spool(batch, 1, describeError(error));
    } finally {
      this.#liveInFlight = undefined;
    }
  }

  /**
   * Appends a batch to the disk queue and schedules its replay; throws if the disk refuses (the
   * pipeline retries, then counts it). The pipeline counts what it spooled as handed off: no
   * receiver has confirmed it yet (deliveryStatus counts the replay).
   */
  #spool(events: readonly LogEvent[], attempts: number, lastError: string | undefined): WriteReport {
    const batch: SpooledBatch = { id: randomId(), spooledAt: Date.now(), attempts, events };
    if (lastError !== undefined) batch.lastError = lastError;
    try {
      (this.#queue as SpoolQueue).append(batch, (dropped) => this.#counters.drop(dropped, 'spool-full'));
    } catch (error) {
      this.#counters.failed(error);
      throw error; // retryable (ENOSPC, EIO)
    }
    this.#counters.spooled += events.length;
    this.#replayer?.schedule();
    return { handedOff: events.length };
  }

  #toDeadLetters(batch: SpooledBatch, reason: DeadLetterReason, error: unknown): void {
    const letter: SpooledBatch = { ...batch, reason, lastError: describeError(error), deadAt: Date.now() };
    try {
      appendDeadLetter(this.dir, letter);
      this.#counters.countDeadLetter(letter, 1);
      this.#counters.drop(batch.events, 'dead-letter');
    } catch (diskError) {
      this.#counters.failed(diskError);
      this.#counters.drop(batch.events, 'disk-error');
    }
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
