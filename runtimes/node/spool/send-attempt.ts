/** One send through a wrapped sink, bounded by the spool's own timeout. */
import { type LogEvent, type Sink, type SinkContext, clearTimer, idempotencyKeyOf, startTimer } from './core.js';

/**
 * `idempotencyKeyOf` (the pipeline's rule: `<first eventId>+<events>`) gives a request re-sent
 * after a crash (the same spooled batches, replayed together again) the same key.
 */
export { idempotencyKeyOf };

/**
 * Sends `events` through `sink` once. Rejects when the sink fails, when `timeoutMs` passes
 * (TimeoutError, retryable) or when `controller` (or `outer`, the pipeline's signal) aborts; the
 * sink's own signal is aborted then too. A sink that ignores its signal cannot hold the spool.
 * `key` is the request's idempotency key (the pipeline's, for a live batch).
 */
export async function sendAttempt(
  sink: Sink,
  events: readonly LogEvent[],
  attempt: number,
  timeoutMs: number,
  controller: AbortController,
  outer?: SinkContext,
): Promise<void> {
  const onAbort = (): void => controller.abort(outer?.signal.reason);
  outer?.signal.addEventListener('abort', onAbort, { once: true });
  const timer = startTimer(timeoutMs, false, () => controller.abort(new DOMException(`send timed out after ${timeoutMs} ms`, 'TimeoutError')));
  const outerKey = (outer as { idempotencyKey?: unknown } | undefined)?.idempotencyKey;
  const context: SinkContext & { idempotencyKey: string } = {
    signal: controller.signal,
    attempt,
    idempotencyKey: typeof outerKey === 'string' ? outerKey : idempotencyKeyOf(events),
  };
  try {
    await Promise.race([
      sink.write(events, context),
      new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })),
    ]);
  } finally {
    clearTimer(timer);
    outer?.signal.removeEventListener('abort', onAbort);
  }
}
