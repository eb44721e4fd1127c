/**
 * `getLogger()`: the current invocation's request logger from anywhere in the handler's async
 * call tree, through Node's AsyncLocalStorage (always present on Lambda's Node runtimes).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestLogger } from '../../src/internal.js';

let storage: AsyncLocalStorage<RequestLogger> | undefined;

/** Runs `fn` with `log` as the current invocation's logger. */
export function runWithLogger<T>(log: RequestLogger, fn: () => T): T {
  storage ??= new AsyncLocalStorage<RequestLogger>();
  return storage.run(log, fn);
}

/**
 * The request logger of the invocation this code runs in (the same one the handler gets as its
 * third argument). Throws when called outside a handler wrapped with `withShiplog` (at module
 * scope, during init), where there is no invocation to attach events to.
 */
export function getLogger(): RequestLogger {
  const log = storage?.getStore();
  if (log === undefined) {
    throw new Error(
      'shiplog: getLogger() was called outside a handler wrapped with withShiplog() (e.g. at module scope ' +
        'during init); log there with the logger from createLogger(), or pass the request logger down.',
    );
  }
  return log;
}
