/** One send through a wrapped sink, bounded by the spool's own timeout. */
import type { LogEvent, Sink } from '../../../src/index.js';
import { clearTimer, startTimer } from '../../../src/util.js';

/**
 * Sends `events` through `sink` once. Rejects when the sink fails, when `timeoutMs` passes
 * (TimeoutError, retryable) or when `controller` (or `outer`, the pipeline's signal) aborts; the
 * sink's own signal is aborted then too. A sink that ignores its signal cannot hold the spool.
 */
export async function sendAttempt(
  sink: Sink,
  events: readonly LogEvent[],
  attempt: number,
  timeoutMs: number,
  controller: AbortController,
  outer?: AbortSignal,
): Promise<void> {
  const onAbort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onAbort, { once: true });
  const timer = startTimer(timeoutMs, false, () => controller.abort(new DOMException(`send timed out after ${timeoutMs} ms`, 'TimeoutError')));
  try {
    await Promise.race([
      sink.write(events, { signal: controller.signal, attempt }),
      new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })),
    ]);
  } finally {
    clearTimer(timer);
    outer?.removeEventListener('abort', onAbort);
  }
}
