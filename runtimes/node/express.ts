/**
 * shiplog for Express 4 and 5 (`shiplog/express`): `app.use(shiplog())` first, routes, then
 * `app.use(shiplogErrors())` after them. One wide event per request (method, path, route
 * pattern, status, duration, error, `aborted` when the client went away), the request logger on
 * `res.locals.log` and through `getLogger()`, and a background flush with a deadline. Imports
 * only types from express, so it adds no runtime dependency.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger, RequestLogger } from '../../src/internal.js';
import { createLogger } from './index.js';
import { observeRequest, type NodeServerOptions, type ServerRequestState } from './server-lifecycle.js';

export { getLogger, runWithLogger } from './request-context.js';
export type { NodeServerOptions } from './server-lifecycle.js';

/** The parts of Express's request shiplog reads (Express 4 and 5 alike). */
interface ExpressRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

/** The parts of Express's response shiplog uses. */
interface ExpressResponse extends ServerResponse {
  locals: Record<string, unknown>;
}

type Next = (error?: unknown) => void;

const states = new WeakMap<object, ServerRequestState>();

/**
 * Records the route pattern (`/api/users/:id`) when Express matches a route: the router sets
 * `req.route` then, while `req.baseUrl` still holds the mount path it resets on the way out.
 * Returns the pattern matched last; undefined when no route matched (a 404, static files).
 */
function watchRoute(req: ExpressRequest): () => string | undefined {
  let route: unknown = req.route;
  let pattern: string | undefined;
  try {
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => route,
      set(value: { path?: unknown } | undefined) {
        route = value;
        const path = value?.path;
        if (typeof path === 'string') pattern = `${req.baseUrl ?? ''}${path}` || '/';
      },
    });
  } catch {
    // A frozen request object: no route pattern, the rest still works.
  }
  return () => pattern;
}

/**
 * Request logging middleware. Register it before your routes (after body parsers if you use
 * `getLogger()`: some parsers lose the async context). `res.locals.log.set({...})` adds to the wide event.
 */
export function shiplog(options: NodeServerOptions = {}): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  let logger: Logger | undefined = options.logger;
  return (req, res, next) => {
    logger ??= createLogger();
    const state: ServerRequestState = { route: watchRoute(req as ExpressRequest) };
    states.set(req, state);
    void observeRequest(logger, req, res, options, state, (log: RequestLogger) => {
      const locals = (res as ExpressResponse).locals;
      if (typeof locals === 'object' && locals !== null) locals.log = log;
      next();
    });
  };
}

/**
 * Error middleware that records the error (a thrown error, a rejected async handler in Express 5,
 * or `next(err)`) in the request's wide event, then passes it on unchanged to Express's (or your)
 * error handling. Register it after your routes.
 */
export function shiplogErrors(): (error: unknown, req: IncomingMessage, res: ServerResponse, next: Next) => void {
  return (error, req, _res, next) => {
    const state = states.get(req);
    if (state !== undefined) state.error ??= error;
    next(error);
  };
}
