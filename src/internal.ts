/**
 * The core surface for shiplog's own runtime entries (runtimes/) and framework adapters
 * (src/adapters/): the public API plus the building blocks they assemble. Besides src/index.ts
 * this is the only core module they may import (`node scripts/import-graph.mjs --check`, run by
 * test/unit/boundary.test.ts). Not a stable API for users.
 */
export * from './index.js';
export { assembleLogger, createLoggerOnRoute, createLoggerWith, consoleDefaults, type DefaultSinks, type LoggerAssembly, type MakeRoute } from './create-logger.js';
export { Logger, RequestLogger, type LogMethod, type Outcome } from './logger.js';
export { LoggerCore, type LoggerCounters, type LoggerStats } from './logger-core.js';
export { RESERVED_KEYS, eventLine, isoTime, lineHead } from './event-line.js';
export { eventIdOf, idempotencyKeyOf, useRandomFill } from './event-id.js';
// The browser's lean core (logger, serializer, pipeline) and what the browser runtime uses besides.
export * from './lean/index.js';
export { checkOptionKeys, checkSinkOptionKeys, closestKey, optionKeys, resolveOptions, type ResolvedOptions } from './options.js';
export { checkOptions } from './option-checks.js';
export { RingBuffer } from './ring-buffer.js';
export { clearTimer, describeError, isMilliseconds, startTimer, type Timer } from './util.js';
export { findWaitUntil, type WaitUntil } from './wait-until.js';
export { idleResult, sumResults } from './delivery-counts.js';
export {
  PipelinesRoute,
  pipelinesFor,
  pipelinesRoute,
  uniqueSinkNames,
  type DeliveryRoute,
  type InvocationRoute,
} from './lifecycle/route.js';
export { FLUSH_DEADLINES } from './lifecycle/deadlines.js';
export { bindInvocation, flushByDeadline, invocationOf, openInvocation, type Invocation } from './lifecycle/invocation.js';
export { runLifecycle, type LifecycleDeclaration } from './lifecycle/run.js';
export {
  DEFAULT_REQUEST_FLUSH_MS,
  runFetchLifecycle,
  type FetchLifecycleOptions,
  type LoggedFetchHandler,
} from './lifecycle/fetch.js';
export {
  InvocationPipelines,
  PerInvocationDelivery,
  PerInvocationRoute,
  perInvocationRoute,
} from './lifecycle/per-invocation-route.js';
export { createIngestHandler, type IngestHandler, type IngestOptions } from './ingest.js';
