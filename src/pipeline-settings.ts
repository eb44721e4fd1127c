/**
 * A pipeline's settings from its options and its sink's (the sink's win), for the core pipeline
 * and the browser's lean one alike. Option values are checked only in development: a count that
 * is no count (0, NaN, Infinity) or a timeout that is no duration takes its default here.
 */
import type { RetryOptions } from './backoff.js';
import { DEFAULT_FLUSH_TIMEOUT_MS, PIPELINE_DEFAULTS, type BatchOptions, type PipelineOptions } from './sink.js';
import { isMilliseconds } from './util.js';

export interface PipelineSettings {
  readonly batch: Required<BatchOptions>;
  /** The sink set `batch.size` itself (rows per INSERT, …): a limit even while flushing. */
  readonly sizeIsLimit: boolean;
  readonly retry: Required<RetryOptions>;
  readonly sendTimeoutMs: number;
  /** Events the buffer holds: `maxBufferSize`, and at least one batch. */
  readonly capacity: number;
}

export function pipelineSettings(options: PipelineOptions): PipelineSettings {
  const { sink } = options;
  const batch = { ...PIPELINE_DEFAULTS.batch, ...options.batch, ...sink.batch };
  batch.size = atLeastOne(batch.size, PIPELINE_DEFAULTS.batch.size);
  batch.maxBytes = atLeastOne(batch.maxBytes, PIPELINE_DEFAULTS.batch.maxBytes);
  const retry = { ...PIPELINE_DEFAULTS.retry, ...options.retry, ...sink.retry };
  retry.maxAttempts = atLeastOne(retry.maxAttempts, PIPELINE_DEFAULTS.retry.maxAttempts);
  const sendTimeoutMs = sink.timeoutMs ?? options.sendTimeoutMs;
  const maxBufferSize = atLeastOne(sink.maxBufferSize ?? options.maxBufferSize, PIPELINE_DEFAULTS.maxBufferSize);
  return {
    batch,
    sizeIsLimit: sink.batch?.size !== undefined,
    retry,
    sendTimeoutMs: isMilliseconds(sendTimeoutMs) ? sendTimeoutMs : PIPELINE_DEFAULTS.sendTimeoutMs,
    capacity: Math.max(maxBufferSize, batch.size),
  };
}

/** `value` as a whole number of at least 1, or `fallback` when it is none (0, negative, NaN, Infinity, not a number). */
function atLeastOne(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value >= 1 && value < Infinity ? Math.floor(value) : fallback;
}

/** A flush deadline: the default unless `timeoutMs` is a finite number >= 0 (a timer cannot be armed for NaN or Infinity). */
export function flushDeadlineMs(timeoutMs: number | undefined): number {
  return isMilliseconds(timeoutMs) ? timeoutMs : DEFAULT_FLUSH_TIMEOUT_MS;
}
