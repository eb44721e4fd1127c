/**
 * shiplog for Cloudflare Workers (`shiplog/workers`, and `shiplog` under the workerd/worker
 * conditions): the core API, a logger whose sends only run inside the invocation that owns
 * them, `withShiplog` for fetch/scheduled/queue/email handlers, `withShiplogDurableObject` for
 * Durable Object fetch/alarm handlers, and `getLogger()`.
 */
import { FLUSH_DEADLINES } from '../../src/internal.js';

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
export {
  withShiplogDurableObject,
  type AlarmInvocationInfoLike,
  type DurableObjectClass,
  type DurableObjectStateLike,
  type ShiplogDurableObject,
} from './durable-object.js';
export type { EmailSummary, ForwardableEmailMessageLike } from './email.js';
export { getLogger, type AsyncLocalStorageClass, type AsyncLocalStorageLike } from './context.js';
export type { MessageBatchLike, QueueMessageLike, MessageOutcome } from './queue.js';
/** Default deadline of the flush at the end of an invocation: well under Workers' ~30 s `waitUntil` budget. */
export const DEFAULT_INVOCATION_FLUSH_MS: number = FLUSH_DEADLINES.invocation;

/** Which build the `shiplog` import resolved to (`'workers'` here), for checking the conditional exports. */
export const RUNTIME = 'workers';
