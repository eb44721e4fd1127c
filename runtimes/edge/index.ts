/**
 * shiplog for Vercel Edge (the `edge-light` export condition and `shiplog/edge`): the core API,
 * console JSON lines by default (plus an http sink when `endpoint` is set), and `withShiplog`,
 * which wraps an Edge function or Next.js middleware and flushes through `waitUntil`.
 * Touches no Node API (no `process`, `Buffer`, `setImmediate`, `eval`); proven in EdgeVM.
 */
import {
  consoleDefaults,
  createLoggerWith,
  runFetchLifecycle,
  type FetchLifecycleOptions,
  type LoggedFetchHandler,
  type Logger,
  type LoggerOptions,
} from '../../src/internal.js';

export * from '../../src/index.js';
export { findWaitUntil, type WaitUntil } from '../../src/internal.js';
export { DEFAULT_REQUEST_FLUSH_MS, type FetchLifecycleOptions, type LoggedFetchHandler } from '../../src/internal.js';

/** Which build the `shiplog` import resolved to (`'edge'` here), for checking the conditional exports. */
export const RUNTIME = 'edge';

/**
 * Creates a logger for Vercel Edge. Same options as the core; the default sinks are console
 * JSON lines, plus an http sink when `endpoint` (`SHIPLOG_ENDPOINT`) is set. Unless `batch.intervalMs`
 * is given, no flush timer runs in global scope: events go out in each request's flush
 * (`withShiplog`), because an isolate may be frozen between requests.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const batch = { intervalMs: 0, ...options.batch };
  return createLoggerWith(consoleDefaults, { ...options, batch });
}

/** Options of the Edge {@link withShiplog}: logger options (or a logger) plus delivery. */
export interface EdgeOptions extends LoggerOptions, FetchLifecycleOptions {
  /** Use this logger instead of creating one from the options. @default a logger created at the first request */
  logger?: Logger;
}

/**
 * Wraps a Vercel Edge function or Next.js middleware `(request, context?) => Response` (middleware
 * may return nothing; its wide event then has no status).
 * Per request: a request logger (third argument), the wide event when the handler settles
 * (status, duration, error, everything `set`), then the flush handed to `context.waitUntil`,
 * else to the Vercel/Next.js request context's `waitUntil`; where neither exists, the flush is
 * awaited before the response is returned. A thrown error is logged and rethrown unchanged.
 *
 * The logger is created at the first request (so `SHIPLOG_*` variables are read then, not at import).
 */
export function withShiplog<C = unknown, R extends Response | undefined | void = Response>(
  options: EdgeOptions,
  handler: LoggedFetchHandler<C | undefined, R>,
): (request: Request, context?: C) => Promise<R> {
  let logger = options.logger;
  return (request, context) => {
    logger ??= createLogger(options);
    return runFetchLifecycle(logger, handler, request, context, options);
  };
}
