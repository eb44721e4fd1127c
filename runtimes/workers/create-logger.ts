import { consoleSink } from '../../src/sinks/console.js';
import { httpSink } from '../../src/sinks/http.js';
import { resolveOptions, type LoggerOptions } from '../../src/options.js';
import { createScopedLogger, type ScopedLogger } from '../../src/adapters/scoped-logger.js';
import type { Sink } from '../../src/pipeline.js';
import type { ResolvedOptions } from '../../src/options.js';
import type { AsyncLocalStorageClass } from './context.js';

/** Options of the Workers `createLogger` and `withShiplog`. */
export interface WorkersLoggerOptions extends LoggerOptions {
  /**
   * Deadline of the flush each invocation hands to `ctx.waitUntil`; what is still undelivered
   * then is dropped with reason `shutdown` and counted. Workers allow ~30 s after the response.
   * @default 10000
   */
  flushTimeoutMs?: number;
  /**
   * AsyncLocalStorage class for `getLogger()`, for Workers with only the `nodejs_als` flag.
   * @default found at the first invocation with nodejs_compat, else none
   */
  asyncLocalStorage?: AsyncLocalStorageClass;
}

/** Workers default: console JSON lines (what Workers Logs indexes), plus http when an endpoint is set. */
export function workersDefaultSinks(options: ResolvedOptions): Sink[] {
  return options.endpoint === undefined ? [consoleSink()] : [consoleSink(), httpSink({ url: options.endpoint })];
}

/**
 * Creates a Workers logger. Its events are only ever sent inside an invocation (a handler
 * wrapped with `withShiplog`, or the Hono middleware): events logged at global scope are kept
 * and ride with the next invocation's flush. Pass your Worker `env` as `vars` for `SHIPLOG_*`
 * overrides.
 */
export function createLogger(options?: WorkersLoggerOptions): ScopedLogger {
  const resolved = resolveOptions(options);
  return createScopedLogger(resolved, resolved.sinks ?? workersDefaultSinks(resolved));
}
