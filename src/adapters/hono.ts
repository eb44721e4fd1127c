/**
 * Hono middleware: a request logger on `c.var.log`, one wide event per request (route pattern,
 * status, duration, error), delivered through `c.executionCtx.waitUntil` where the runtime has
 * one (Workers, Vercel Edge). On Node nothing extra happens: the background pipeline delivers.
 * Imports only types from hono, so it adds no runtime dependency.
 */
import type { Context, MiddlewareHandler } from 'hono';
import {
  FLUSH_DEADLINES,
  consoleDefaults,
  createLoggerWith,
  invocationOf,
  openInvocation,
  perInvocationRoute,
  resolveOptions,
  type Fields,
  type Invocation,
  type Logger,
  type RequestLogger,
} from '../internal.js';

/** Variables the middleware sets: `c.var.log` / `c.get('log')`. */
export interface ShiplogVariables {
  /** This request's logger; `log.set({...})` adds to its wide event. */
  log: RequestLogger;
}

/** The Hono env of an app using the middleware: `new Hono<ShiplogEnv>()`. */
export interface ShiplogEnv {
  Variables: ShiplogVariables;
}

/** Options of {@link shiplog}. */
export interface HonoShiplogOptions {
  /**
   * The logger (or a function of the context returning it). Pass `createLogger()` from your
   * runtime's entry, e.g. `shiplog/workers` for request-owned delivery on Workers.
   * @default created at the first request: on runtimes with `executionCtx` (Workers) a logger
   * whose events are sent only from their own request's `waitUntil`, with `SHIPLOG_*` read from
   * `c.env`; elsewhere the core console logger (plus http when `SHIPLOG_ENDPOINT` is set).
   */
  logger?: Logger | ((c: Context) => Logger);
  /** Deadline of the flush handed to `waitUntil`. @default 10000 */
  flushTimeoutMs?: number;
  /**
   * Extra fields for each request logger (e.g. a tenant id from a header). If it throws, the
   * request runs on, logged without them plus a warn event with the error. @default undefined
   */
  fields?: (c: Context) => Fields;
}

interface WaitUntilHolder {
  waitUntil(promise: Promise<unknown>): void;
}

/** The execution context where the runtime has one; Hono's getter throws on Node. */
function executionContext(c: Context): WaitUntilHolder | undefined {
  try {
    const ctx = c.executionCtx as Partial<WaitUntilHolder> | undefined;
    return typeof ctx?.waitUntil === 'function' ? (ctx as WaitUntilHolder) : undefined;
  } catch {
    return undefined;
  }
}

/** The matched route pattern, if a handler after this middleware ran (`/users/:id`). */
function routeOf(c: Context, ownIndex: number): string | undefined {
  try {
    const req = c.req as unknown as { routeIndex: number; routePath: string };
    return req.routeIndex > ownIndex ? req.routePath : undefined;
  } catch {
    return undefined;
  }
}

/** Request logging middleware: `app.use(shiplog())`, then `c.var.log.info(...)` in handlers. */
export function shiplog(options: HonoShiplogOptions = {}): MiddlewareHandler<ShiplogEnv> {
  let fallback: Logger | undefined;
  const loggerFor = (c: Context, ctx: WaitUntilHolder | undefined): Logger => {
    if (typeof options.logger === 'function') return options.logger(c);
    if (options.logger !== undefined) return options.logger;
    if (fallback === undefined) {
      const vars = ctx !== undefined && typeof c.env === 'object' && c.env !== null ? (c.env as Fields) : undefined;
      const resolved = resolveOptions(vars === undefined ? {} : { vars });
      // On Workers, sends must run inside the request that owns them: one route per invocation.
      fallback = createLoggerWith(consoleDefaults, resolved, ctx === undefined ? undefined : (options, sinks) => perInvocationRoute(options, sinks));
    }
    return fallback;
  };

  return async (c, next) => {
    const outer = invocationOf(c.req.raw);
    const ctx = executionContext(c);
    let logger: Logger | undefined;
    let invocation: Invocation;
    let fieldsFailed = false;
    let fieldsError: unknown;
    let fields: Fields | undefined;
    try {
      fields = outer === undefined ? options.fields?.(c) : undefined;
    } catch (error) {
      // A throwing `fields` callback must not turn the request into a 500 with no log at all.
      fieldsFailed = true;
      fieldsError = error;
    }
    if (outer !== undefined) invocation = outer;
    else {
      logger = loggerFor(c, ctx);
      invocation = openInvocation(logger, c.req.raw, fields);
      if (fieldsFailed) invocation.log.warn('shiplog: the fields option threw; request logged without its fields', { error: fieldsError });
    }
    c.set('log', invocation.log);
    const ownIndex = (c.req as unknown as { routeIndex: number }).routeIndex;
    let failed = false;
    let thrown: unknown;
    try {
      await next();
    } catch (error) {
      failed = true;
      thrown = error;
      throw error;
    } finally {
      try {
        const error = failed ? thrown : c.error;
        const route = routeOf(c, ownIndex);
        if (route !== undefined) invocation.log.set({ route });
        if (outer !== undefined) {
          // The runtime wrapper emits and delivers; it only sees the Response, so pass the error on.
          if (error !== undefined) invocation.log.set({ error });
        } else {
          const outcome = { status: failed ? 500 : c.res.status, error };
          const timeoutMs = options.flushTimeoutMs ?? FLUSH_DEADLINES.invocation;
          if (ctx !== undefined) ctx.waitUntil(invocation.finish(outcome, timeoutMs));
          // An invocation with its own route must end to deliver; a shared route delivers in the background.
          else if (invocation.owned !== undefined) void invocation.finish(outcome, timeoutMs);
          else invocation.log.emit(outcome);
        }
      } catch {
        // Logging must never change the response.
      }
    }
  };
}
