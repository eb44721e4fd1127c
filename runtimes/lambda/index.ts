/**
 * shiplog for AWS Lambda (`shiplog/lambda`): the core API, console JSON lines on stdout by
 * default (plus http when `endpoint` is set), and `withShiplog`, which gives every invocation a
 * request logger and a wide event and finishes the flush before the handler settles.
 */
import type { Logger } from '../../src/internal.js';
import type { LoggerOptions } from '../../src/internal.js';
import { createLambdaLogger } from './create-logger.js';

export * from '../../src/index.js';
export { withShiplog, type LambdaContext, type LambdaOptions, type LoggedLambdaHandler, type WrappedLambdaHandler } from './with-shiplog.js';
export { withShiplogStream, type LoggedStreamingHandler, type ResponseStreamLike, type WrappedStreamingHandler } from './stream.js';
export { withShiplogCallback, type LambdaCallback, type LoggedCallbackHandler, type WrappedCallbackHandler } from './callback.js';
export { getLogger } from './context.js';
export { httpEventInfo, resultStatus, type EventSource, type HttpEventInfo } from './http-event.js';
export type { FailureBufferOptions } from './create-logger.js';

/** Which build the `shiplog` import resolved to (`'lambda'` here), for checking the conditional exports. */
export const RUNTIME = 'lambda';

/**
 * Creates a logger for Lambda: console JSON lines written to the process's stdout/stderr
 * (not through the runtime's patched `console`, which would prefix them), plus an http sink
 * when `endpoint` (`SHIPLOG_ENDPOINT`) is set.
 */
export function createLogger(options?: LoggerOptions): Logger {
  return createLambdaLogger(options ?? {}).logger;
}
