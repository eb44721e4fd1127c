/**
 * `getLogger()` on Node: the current request's logger from anywhere in its async call tree,
 * through AsyncLocalStorage. The Express, Fastify and node:http adapters put each request's
 * logger there; `runWithLogger` does it for anything else (a queue consumer, a script's job).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestLogger } from '../../src/internal.js';

let storage: AsyncLocalStorage<RequestLogger> | undefined;

function store(): AsyncLocalStorage<RequestLogger> {
  storage ??= new AsyncLocalStorage<RequestLogger>();
  return storage;
}

/** Runs `fn` with `log` as the current request's logger (what `getLogger()` returns inside it). */
export function runWithLogger<T>(log: RequestLogger, fn: () => T): T {
  return store().run(log, fn);
}

/**
 * Makes `log` the current logger for the rest of this synchronous execution and what it
 * schedules: for framework hooks that cannot wrap the code after them (Fastify's preHandler).
 */
export function enterLogger(log: RequestLogger): void {
  store().enterWith(log);
}

/**
 * The logger of the request this code runs for (inside the Express middleware, the Fastify
 * plugin, a node:http handler wrapped with `withLogger`, or `runWithLogger`). Throws an Error
 * that says what to do when called outside one.
 */
export function getLogger(): RequestLogger {
  const log = storage?.getStore();
  if (log === undefined) {
    throw new Error(
      'shiplog: getLogger() was called outside a request (the Express middleware, the Fastify plugin, ' +
        'a handler wrapped with withLogger, or runWithLogger()). Note that some body parsers lose the ' +
        'async context: register the shiplog middleware after them, or use the request logger the adapter ' +
        'attaches (res.locals.log on Express, request.shiplog on Fastify).',
    );
  }
  return log;
}
