/**
 * shiplog for Next.js App Router route handlers (`shiplog/next`), on the Node and the Edge
 * runtime alike: `export const GET = withLogger(async (request, ctx, log) => Response.json(...))`.
 * No import of `next`: pass `after` from `next/server` as `waitUntil`, or let the wrapper find
 * Next's request context (`next start`) or Vercel's.
 */
import { createLogger } from '../internal.js';
import type { Logger } from '../internal.js';
import type { LoggerOptions } from '../internal.js';
import { runFetchLifecycle, type FetchLifecycleOptions, type LoggedFetchHandler } from '../internal.js';

export type { FetchLifecycleOptions, LoggedFetchHandler } from '../internal.js';
export type { WaitUntil } from '../internal.js';

/** Options of {@link withLogger}: logger options (or a logger) plus delivery. */
export interface NextLoggerOptions extends LoggerOptions, FetchLifecycleOptions {
  /**
   * Logger shared by the route handlers that get it; create it once in a module of yours.
   * @default a console logger created at the route's first request
   */
  logger?: Logger;
}

/** A route handler as Next.js calls it: `(request, { params })`. */
export type RouteHandler<C> = (request: Request, context: C) => Promise<Response>;

/**
 * Wraps a route handler. Per request: a request logger (third argument), the wide event when
 * the handler settles (method, path, status, duration, error, everything `set`), then the
 * flush handed to `options.waitUntil` (pass Next's `after`), else to Next's or Vercel's request
 * context `waitUntil`; where none exists, the flush is awaited before the response is returned.
 * A thrown error is logged (status 500) and rethrown unchanged, so Next's error handling runs.
 */
export function withLogger<C = unknown>(handler: LoggedFetchHandler<C>): RouteHandler<C>;
export function withLogger<C = unknown>(options: NextLoggerOptions, handler: LoggedFetchHandler<C>): RouteHandler<C>;
export function withLogger<C = unknown>(
  first: NextLoggerOptions | LoggedFetchHandler<C>,
  second?: LoggedFetchHandler<C>,
): RouteHandler<C> {
  const options: NextLoggerOptions = typeof first === 'function' ? {} : first;
  const handler = typeof first === 'function' ? first : second;
  if (typeof handler !== 'function') throw new TypeError('shiplog: withLogger needs a route handler function');
  let logger = options.logger;
  return (request, context) => {
    logger ??= createLogger(options);
    return runFetchLifecycle(logger, handler, request, context, options);
  };
}
