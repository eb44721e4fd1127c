/**
 * shiplog core: one request-scoped logger API and a delivery pipeline for every runtime.
 * This entry uses only what every runtime has (fetch, timers, TextEncoder, AbortController).
 * It is the public API only; shiplog's own runtime entries and adapters also use src/internal.ts.
 */
export { createLogger, createLoggerWith, consoleDefaults, type DefaultSinks, type MakeRoute } from './create-logger.js';
export { Logger, RequestLogger, type LogMethod, type Outcome } from './logger.js';
export type { LoggerStats } from './logger-core.js';
export type { Fields, LoggerOptions, ResolvedOptions, SampleOptions } from './options.js';
export type { EnvironmentVariables } from './options.js';
export { LEVELS, LEVEL_RANK, SEVERITY_NUMBER, isLevel, type Level, type LogEvent } from './event.js';
export {
  createPipeline,
  Pipeline,
  PIPELINE_DEFAULTS,
  DEFAULT_FLUSH_TIMEOUT_MS,
  type BatchOptions,
  type DropReason,
  type FlushOptions,
  type FlushResult,
  type OnDropped,
  type PipelineOptions,
  type Sink,
  type SinkContext,
  type SinkStats,
} from './pipeline.js';
export { backoffDelay, parseRetryAfter, MAX_RETRY_AFTER_MS, type BackoffKind, type RetryOptions } from './backoff.js';
export { SinkError, classifyError, isRetryableStatus, type ErrorClass, type SinkErrorInit } from './sink-error.js';
export {
  Serializer,
  DEFAULT_SENSITIVE_KEYS,
  DEFAULT_SENSITIVE_PATTERNS,
  DEFAULT_SENSITIVE_WORDS,
  DEFAULT_SECRET_URL_PARAMS,
  type RedactOptions,
  type SerializeOptions,
} from './serialize.js';
export { requestInfo, readHeader, randomId, type RequestInfo, type RequestLike } from './request-info.js';
export { consoleSink, type ConsoleLike, type ConsoleSinkOptions } from './sinks/console.js';
export { prettyFormat, formatHuman, escapeControl, shouldColor, type PrettyFormatOptions, type ColorTarget } from './sinks/pretty.js';
export { httpSink, encodeBatch, type HttpSinkOptions } from './sinks/http.js';
/** Which build the `shiplog` import resolved to (`'core'` here), for checking the conditional exports. */
export const RUNTIME = 'core';
