import type { LogEvent } from './event.js';
import { idempotencyKeyOf } from './event-id.js';
import type { SinkContext } from './sink.js';

/**
 * What a sink gets with each attempt. The AbortController is made only when the sink reads
 * `signal` (synchronous sinks never do, and a controller per batch is measurable work).
 */
export class AttemptContext implements SinkContext {
  #controller: AbortController | undefined;
  #abortReason: DOMException | undefined;

  constructor(
    readonly attempt: number,
    readonly batch: readonly LogEvent[],
  ) {}

  /** Made only when a sink reads it (console and file sinks never do). */
  get idempotencyKey(): string {
    return idempotencyKeyOf(this.batch);
  }

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    // A no-op once aborted; the first reason wins either way.
    if (this.#abortReason) this.#controller.abort(this.#abortReason);
    return this.#controller.signal;
  }

  abort(reason: DOMException): void {
    this.#abortReason ??= reason;
    this.#controller?.abort(reason);
  }
}
