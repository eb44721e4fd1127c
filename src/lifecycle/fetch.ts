/**
 * The declaration of a fetch-style handler (`(request, context) => Response`), shared by the
 * Vercel Edge wrapper and the Next.js route-handler wrapper: a request logger, one wide event,
 * then the flush handed to `waitUntil`, or awaited before the response when there is none.
 */
import type { Logger, RequestLogger } from '../logger.js';
import type { FlushResult } from '../pipeline.js';
import { findWaitUntil, type WaitUntil } from '../wait-until.js';
import { FLUSH_DEADLINES } from './deadlines.js';
import { runLifecycle } from './run.js';

/**
 * A fetch-style handler that also receives its request's logger. `R` is what it returns: a
 * `Response`, or for Next.js middleware also nothing (`NextResponse.next()` is implied).
 */
export type LoggedFetchHandler<C, R extends Response | undefined | void = Response> = (
  request: Request,
  context: C,
  log: RequestLogger,
) => R | Promise<R>;

/** How a wrapped fetch handler delivers its events. */
export interface FetchLifecycleOptions {
  /**
   * Deadline of the flush after each request; a send still in flight then is aborted and its
   * events go with the next request's flush. Platforms cut `waitUntil` work off (Vercel at the
   * function's max duration, Workers ~30 s after the response), so stay well under.
   * @default 5000
   */
  flushTimeoutMs?: number;
  /**
   * Where the flush is handed so it outlives the response: pass Next.js `after` (from
   * `next/server`) or `waitUntil` from `@vercel/functions`. When omitted: the handler context's
   * `waitUntil`, else the Next.js/Vercel request context on `globalThis`, else the flush is
   * awaited before the response is returned.
   * @default undefined (found per request)
   */
  waitUntil?: WaitUntil;
  /** Told the outcome of every request's flush (e.g. to count what missed its deadline). @default undefined */
  onFlush?: (result: FlushResult, log: RequestLogger) => void;
}

/** Default deadline of the flush that follows a request. */
export const DEFAULT_REQUEST_FLUSH_MS = FLUSH_DEADLINES.fetchRequest;

/** The numeric status of a handler's result; undefined when it has none or it cannot be read. Never throws. */
function statusOf(response: unknown): number | undefined {
  try {
    const status = (response as { status?: unknown } | null | undefined)?.status;
    return typeof status === 'number' ? status : undefined;
  } catch {
    // A throwing `status` getter must not skip the wide event and the flush, nor replace the result.
    return undefined;
  }
}

/**
 * Runs `handler` with a request logger. The wide event is emitted when the handler settles
 * (status from the Response; a thrown error as status 500, then rethrown unchanged).
 */
export function runFetchLifecycle<C, R extends Response | undefined | void>(
  logger: Logger,
  handler: LoggedFetchHandler<C, R>,
  request: Request,
  context: C,
  options: FetchLifecycleOptions,
): Promise<R> {
  return runLifecycle<R>({
    logger,
    request,
    // Framework middleware running inside (the Hono adapter) adds to this wide event instead of emitting a second one.
    bindTo: request,
    run: (log) => handler(request, context, log),
    outcome: (response, error, failed) => (failed ? { status: 500, error } : { status: statusOf(response) }),
    flushTimeoutMs: options.flushTimeoutMs ?? DEFAULT_REQUEST_FLUSH_MS,
    waitUntil: options.waitUntil ?? findWaitUntil(context),
    ...(options.onFlush === undefined ? {} : { onFlush: options.onFlush }),
  });
}
