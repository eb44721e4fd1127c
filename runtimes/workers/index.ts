/**
 * shiplog for Cloudflare Workers (`shiplog/workers`, and `shiplog` under the workerd/worker
 * conditions): the core API, a logger whose sends only run inside the invocation that owns
 * them, `withShiplog` for fetch/scheduled/queue handlers, and `getLogger()`.
 */
export * from '../../src/index.js';
export { createLogger, workersDefaultSinks, type WorkersLoggerOptions } from './create-logger.js';
export {
  withShiplog,
  type ShiplogHandler,
  type WrappedHandler,
  type WithShiplogOptions,
  type WorkersExecutionContext,
  type ScheduledControllerLike,
} from './with-shiplog.js';
export { getLogger, type AsyncLocalStorageClass, type AsyncLocalStorageLike } from './context.js';
export type { MessageBatchLike, QueueMessageLike, MessageOutcome } from './queue.js';
export { ScopedLogger, DEFAULT_INVOCATION_FLUSH_MS, type ScopedInvocation } from '../../src/adapters/scoped-logger.js';

/** Which build this is; lets tests prove conditional exports resolve to the right file. */
/** Which build the `shiplog` import resolved to (`'workers'` here), for checking the conditional exports. */
export const RUNTIME = 'workers';
