import {
  consoleDefaults,
  createLoggerOnRoute,
  perInvocationRoute,
  type DefaultSinks,
  type Logger,
  type LoggerOptions,
} from '../../src/internal.js';
import type { AsyncLocalStorageClass } from './context.js';

/** Options of the Workers `createLogger` and `withShiplog`. */
export interface WorkersLoggerOptions extends LoggerOptions {
  /**
   * Deadline of the flush each invocation hands to `ctx.waitUntil`. A send still in flight then
   * is aborted; what is undelivered stays pending and goes with the next invocation's flush.
   * Workers allow ~30 s after the response.
   * @default 10000
   */
  flushTimeoutMs?: number;
  /**
   * AsyncLocalStorage class for `getLogger()`, for Workers with only the `nodejs_als` flag.
   * @default found at the first invocation with nodejs_compat, else none
   */
  asyncLocalStorage?: AsyncLocalStorageClass;
}

/**
 * Workers default: console JSON lines (what Workers Logs indexes), plus http when an endpoint is
 * set. The core's default, shared rather than written again.
 */
export const workersDefaultSinks: DefaultSinks = consoleDefaults;

/**
 * Creates a Workers logger. Its events are only ever sent inside an invocation (a handler
 * wrapped with `withShiplog`, or the Hono middleware): events logged at global scope are kept
 * and ride with the next invocation's flush. Pass your Worker `env` as `vars` for `SHIPLOG_*`
 * overrides.
 */
export function createLogger(options?: WorkersLoggerOptions): Logger {
  return createLoggerOnRoute(workersDefaultSinks, options, perInvocationRoute);
}
