/**
 * shiplog for Fastify (`shiplog/fastify`): `await app.register(shiplog, options)`. One wide event
 * per request (method, path, route pattern, status, duration, error, `aborted`), the request
 * logger on `request.shiplog` and through `getLogger()`, and a background flush with a deadline.
 * Imports only types from fastify; marked with `skip-override` (what fastify-plugin does) so its
 * hooks apply to the whole app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger, RequestLogger } from '../../src/internal.js';
import { createLogger } from './index.js';
import { enterLogger } from './request-context.js';
import { observeRequest, type NodeServerOptions, type ServerRequestState } from './server-lifecycle.js';

export { getLogger, runWithLogger } from './request-context.js';
export type { NodeServerOptions } from './server-lifecycle.js';

/** The parts of a Fastify request shiplog uses. */
interface FastifyRequestLike {
  raw: IncomingMessage;
  routeOptions?: { url?: unknown };
  shiplog?: RequestLogger | null;
}

/** The parts of a Fastify reply shiplog uses. */
interface FastifyReplyLike {
  raw: ServerResponse;
}

type Done = (error?: Error) => void;

/** The parts of a Fastify instance the plugin uses. */
interface FastifyInstanceLike {
  decorateRequest(name: string, value: unknown): unknown;
  addHook(name: 'onRequest' | 'preHandler', hook: (request: FastifyRequestLike, reply: FastifyReplyLike, done: Done) => void): unknown;
  addHook(name: 'onError', hook: (request: FastifyRequestLike, reply: FastifyReplyLike, error: Error, done: Done) => void): unknown;
}

const states = new WeakMap<object, ServerRequestState>();

/** The Fastify plugin. Options: {@link NodeServerOptions}. */
export function shiplog(fastify: FastifyInstanceLike, options: NodeServerOptions, done: Done): void {
  let logger: Logger | undefined = options.logger;
  fastify.decorateRequest('shiplog', null);
  fastify.addHook('onRequest', (request, reply, next) => {
    logger ??= createLogger();
    const state: ServerRequestState = {
      route: () => {
        const url = request.routeOptions?.url;
        return typeof url === 'string' ? url : undefined;
      },
    };
    states.set(request, state);
    void observeRequest(logger, request.raw, reply.raw, options, state, (log) => {
      request.shiplog = log;
      next();
    });
  });
  // Body parsing may run outside the request's async context: enter it again before the handler.
  fastify.addHook('preHandler', (request, _reply, next) => {
    if (request.shiplog) enterLogger(request.shiplog);
    next();
  });
  fastify.addHook('onError', (request, _reply, error, next) => {
    const state = states.get(request);
    if (state !== undefined) state.error ??= error;
    next();
  });
  done();
}

// Hooks registered by the plugin apply to the whole app, not only to an encapsulated child context.
(shiplog as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
(shiplog as unknown as Record<symbol, string>)[Symbol.for('fastify.display-name')] = 'shiplog';
