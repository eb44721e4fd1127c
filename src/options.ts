import type { RetryOptions } from './backoff.js';
import {
  checkBatch,
  checkInteger,
  checkLevel,
  checkMs,
  checkRate,
  checkRetry,
  envInteger,
  envString,
  processEnv,
  type EnvironmentVariables,
} from './config.js';
import { LEVELS, type Level } from './event.js';
import type { BatchOptions, OnDropped, Sink } from './pipeline.js';
import type { RedactOptions, SerializeOptions } from './serialize.js';

/** Structured fields of an event. */
export type Fields = Record<string, unknown>;

/** Sampling: head rates per level, and which wide events are always kept. */
export interface SampleOptions {
  /** Fraction of events kept per level (0..1). Unlisted levels keep everything. @default {} */
  rates?: Partial<Record<Level, number>>;
  /** Wide events at least this slow are always kept. @default undefined (no duration rule) */
  keepSlowerThanMs?: number;
  /** Random source, injectable for tests. @default Math.random */
  random?: () => number;
}

/** Options of `createLogger`. Every option can be omitted. */
export interface LoggerOptions {
  /** Service name on every event (`SHIPLOG_SERVICE`). @default undefined */
  service?: string;
  /** Deployment environment on every event (`SHIPLOG_ENV`). @default undefined */
  env?: string;
  /** Service version on every event. @default undefined */
  version?: string;
  /** Lowest level written (`SHIPLOG_LEVEL`). @default 'info' */
  level?: Level;
  /** Destinations; each gets its own pipeline. @default the runtime's default sink */
  sinks?: readonly Sink[];
  /** Where an http sink is added to the defaults (`SHIPLOG_ENDPOINT`). @default undefined */
  endpoint?: string;
  /** Batching (`SHIPLOG_BATCH_SIZE`, `SHIPLOG_FLUSH_INTERVAL_MS`). @default { size: 50, maxBytes: 524288, intervalMs: 5000 } */
  batch?: BatchOptions;
  /** Retries per batch. @default { maxAttempts: 3, backoff: 'exponential', initialDelayMs: 1000, maxDelayMs: 30000, jitter: true } */
  retry?: RetryOptions;
  /** Events buffered per sink before the oldest is dropped (`SHIPLOG_MAX_BUFFER`). @default 1000 */
  maxBufferSize?: number;
  /** Longest single send before it is aborted and retried. @default 30000 */
  sendTimeoutMs?: number;
  /** Told about every event that will not be delivered, with the reason and sink name. */
  onDropped?: OnDropped;
  /** Extra redaction (paths with `*`, keys); default sensitive keys are always redacted unless disabled. */
  redact?: readonly string[] | RedactOptions;
  /** Serializer bounds. @default { maxDepth: 10, maxStringLength: 10000, maxKeys: 100, maxItems: 100, maxEventBytes: 65536 } */
  limits?: Omit<SerializeOptions, 'redact'>;
  /** Head sampling and wide-event keep rules. @default keep everything */
  sample?: SampleOptions;
  /** Static fields on every event. @default {} */
  fields?: Fields;
  /** Source of `SHIPLOG_*` overrides (a Workers `env`). @default process.env where it exists */
  vars?: EnvironmentVariables;
}

/** Options after validation and environment overrides. */
export interface ResolvedOptions extends LoggerOptions {
  level: Level;
}

/**
 * Validates options (a bad value throws a TypeError/RangeError naming the option) and applies
 * `SHIPLOG_*` overrides, which win over code so operators can change them without a deploy.
 */
export function resolveOptions(options: LoggerOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('shiplog: options must be an object');
  const vars = options.vars ?? processEnv();
  const resolved: ResolvedOptions = { ...options, level: 'info' };
  resolved.level = checkLevel('SHIPLOG_LEVEL', envString(vars, 'SHIPLOG_LEVEL')?.toLowerCase()) ?? checkLevel('level', options.level) ?? 'info';
  for (const key of ['service', 'env', 'version', 'endpoint'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'string') throw new TypeError(`shiplog: option "${key}" must be a string`);
  }
  resolved.service = envString(vars, 'SHIPLOG_SERVICE') ?? options.service;
  resolved.env = envString(vars, 'SHIPLOG_ENV') ?? options.env;
  resolved.endpoint = envString(vars, 'SHIPLOG_ENDPOINT') ?? options.endpoint;
  checkBatch('batch', options.batch);
  const size = envInteger(vars, 'SHIPLOG_BATCH_SIZE', 1);
  const intervalMs = envInteger(vars, 'SHIPLOG_FLUSH_INTERVAL_MS', 0);
  if (size !== undefined || intervalMs !== undefined) {
    resolved.batch = { ...options.batch, ...(size === undefined ? {} : { size }), ...(intervalMs === undefined ? {} : { intervalMs }) };
  }
  checkRetry('retry', options.retry);
  resolved.maxBufferSize = envInteger(vars, 'SHIPLOG_MAX_BUFFER', 1) ?? checkInteger('maxBufferSize', options.maxBufferSize);
  checkMs('sendTimeoutMs', options.sendTimeoutMs);
  if (options.sinks !== undefined) {
    if (!Array.isArray(options.sinks)) throw new TypeError('shiplog: option "sinks" must be an array of sinks');
    options.sinks.forEach((sink: Sink, i) => {
      if (typeof sink?.write !== 'function' || typeof sink.name !== 'string') {
        throw new TypeError(`shiplog: option "sinks[${i}]" must have a name and a write(batch) method`);
      }
    });
  }
  for (const key of ['onDropped'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') throw new TypeError(`shiplog: option "${key}" must be a function`);
  }
  if (options.fields !== undefined && (typeof options.fields !== 'object' || options.fields === null)) {
    throw new TypeError('shiplog: option "fields" must be an object');
  }
  if (options.limits !== undefined) {
    for (const key of ['maxDepth', 'maxStringLength', 'maxKeys', 'maxItems', 'maxEventBytes'] as const) {
      checkInteger(`limits.${key}`, options.limits[key]);
    }
  }
  const sample = options.sample;
  if (sample !== undefined) {
    for (const level of LEVELS) checkRate(`sample.rates.${level}`, sample.rates?.[level]);
    checkMs('sample.keepSlowerThanMs', sample.keepSlowerThanMs);
  }
  return resolved;
}
