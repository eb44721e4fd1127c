/**
 * The replay loop of a spooled sink: sends the disk queue oldest first when the sink recovers
 * (probing it with exponential backoff and full jitter while it is down) and at start; commits
 * each confirmed request; sends a batch the receiver refuses for good, or one past its budget,
 * to the dead letters.
 */
import { backoffDelay, classifyError, type LogEvent, clearTimer, startTimer, type Timer } from './core.js';
import type { DeadLetterReason, SpooledBatch } from './batch-record.js';
import type { SpoolCounters } from './counters.js';
import type { ReplayOptions } from './options.js';
import type { SpoolQueue } from './queue.js';

/** What the replay loop needs from its sink. */
export interface ReplayTarget {
  /** One send (aborted through `controller` when the spool closes). */
  send(events: readonly LogEvent[], attempt: number, controller: AbortController): Promise<void>;
  /** Moves a batch to the dead letters. */
  toDeadLetters(batch: SpooledBatch, reason: DeadLetterReason, error: unknown): void;
  readonly counters: SpoolCounters;
}

/** Replays one queue; one run at a time. */
export class Replayer {
  /** The sink failed and has not succeeded since: batches go to disk, the sink is probed with backoff. */
  down = false;
  readonly #queue: SpoolQueue;
  readonly #options: Required<ReplayOptions>;
  /** Byte budget of one replayed request (the sink's batch budget). */
  readonly #maxBytes: number;
  readonly #target: ReplayTarget;
  #closed = false;
  #timer: Timer | undefined;
  #running: Promise<void> | undefined;
  #abort: AbortController | undefined;
  #failedProbes = 0;
  /** Records on disk are immutable: failed probes of the head batch are counted here. */
  #headAttempts: { id: string; attempts: number } | undefined;
  /** Batches still to replay one at a time (after a merged request was refused). */
  #isolate = 0;
  #drainWaiters: (() => void)[] = [];

  constructor(queue: SpoolQueue, options: Required<ReplayOptions>, maxBytes: number, target: ReplayTarget) {
    this.#queue = queue;
    this.#options = options;
    this.#maxBytes = maxBytes;
    this.#target = target;
  }

  /** A replay run is under way. */
  get busy(): boolean {
    return this.#running !== undefined;
  }

  /** The sink delivered (live or replayed): it is up, the backoff starts over. */
  succeeded(): void {
    this.down = false;
    this.#failedProbes = 0;
  }

  /** Replays after `delayMs` (default: at once when up, after the probe backoff when down), unless a run or timer is pending. */
  schedule(delayMs = this.down ? this.#probeDelay() : 0): void {
    if (this.#closed || this.#timer !== undefined || this.#running !== undefined) return;
    this.#timer = startTimer(delayMs, false, () => {
      this.#timer = undefined;
      this.#running = this.#run().finally(() => {
        this.#running = undefined;
        // Left over: the sink failed (probe again after a backoff) or batches were spooled meanwhile.
        if (this.#queue.pendingBatches > 0) this.schedule();
      });
    });
  }

  /** Replays now (skipping the backoff); true once the queue is empty, false at the deadline or on close. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.#queue.pendingBatches === 0) return Promise.resolve(true);
    this.#failedProbes = 0;
    this.#timer = clearTimer(this.#timer);
    this.schedule(0);
    return new Promise((resolve) => {
      const timer = startTimer(timeoutMs, true, () => resolve(false));
      this.#drainWaiters.push(() => {
        clearTimer(timer);
        resolve(!this.#closed && this.#queue.pendingBatches === 0);
      });
    });
  }

  /** Stops: no new run, the send in flight is aborted (its batches stay on disk). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#timer = clearTimer(this.#timer);
    this.#abort?.abort(new DOMException('spool closed', 'AbortError'));
    await this.#running;
    for (const settle of this.#drainWaiters.splice(0)) settle();
  }

  #probeDelay(): number {
    const { initialDelayMs, maxDelayMs } = this.#options;
    return backoffDelay(Math.max(1, this.#failedProbes), { backoff: 'exponential', initialDelayMs, maxDelayMs, jitter: true, maxAttempts: Infinity });
  }

  /**
   * Sends the queue oldest first until it is empty, the sink fails (probed again later) or the
   * spool closes. Consecutive batches go out together (up to `batchEvents` and the byte budget);
   * a merged request the receiver refuses for good is retried one batch at a time, so only the
   * batch it refuses goes to the dead letters.
   */
  async #run(): Promise<void> {
    const queue = this.#queue;
    const { counters } = this.#target;
    while (!this.#closed) {
      const single = this.#isolate > 0;
      const run = queue.headRun(single ? 1 : this.#options.batchEvents, single ? Infinity : this.#maxBytes);
      const head = run[0];
      if (head === undefined) break;
      const events = run.length === 1 ? head.batch.events : run.flatMap((r) => r.batch.events);
      const { batch } = head;
      if (this.#headAttempts?.id === batch.id) batch.attempts = this.#headAttempts.attempts;
      try {
        this.#abort = new AbortController();
        await this.#target.send(events, batch.attempts + 1, this.#abort);
      } catch (error) {
        if (this.#closed) return; // aborted by close: the batches stay on disk
        counters.failed(error);
        const { retryable } = classifyError(error);
        if (!retryable && run.length > 1) {
          this.#isolate = run.length; // find the one the receiver refuses
          continue;
        }
        batch.attempts++;
        const budgetGone = batch.attempts >= this.#options.maxAttempts || Date.now() - batch.spooledAt >= this.#options.maxAgeMs;
        if (retryable && !budgetGone) {
          this.down = true;
          this.#failedProbes++;
          this.#headAttempts = { id: batch.id, attempts: batch.attempts };
          return; // probed again after a backoff (see schedule)
        }
        this.#target.toDeadLetters(batch, retryable ? 'replay-budget' : 'rejected', error);
        if (this.#isolate > 0) this.#isolate--;
        if (!this.#commit(head.position)) return;
        continue;
      }
      counters.succeeded();
      this.succeeded();
      if (this.#isolate > 0) this.#isolate--;
      if (!this.#commit((run.at(-1) as typeof head).position)) return;
      counters.replayed += events.length;
    }
    if (queue.pendingBatches === 0) for (const settle of this.#drainWaiters.splice(0)) settle();
  }

  #commit(position: Parameters<SpoolQueue['commit']>[0]): boolean {
    try {
      this.#queue.commit(position);
      return true;
    } catch (error) {
      this.#target.counters.failed(error);
      this.down = true; // the disk failed, not the sink: retried after a backoff all the same
      return false;
    }
  }
}
