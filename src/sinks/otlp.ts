import { SEVERITY_NUMBER, isLevel, type LogEvent } from '../event.js';
import type { Sink } from '../pipeline.js';
import { checkOptionKeys } from '../options.js';
import { HTTP_SINK_KEYS, httpSink, type HttpSinkOptions } from './http.js';

/** Options of {@link otlpSink}: those of `httpSink` except the body format. */
export interface OtlpSinkOptions extends Omit<HttpSinkOptions, 'format' | 'encode' | 'url'> {
  /** OTLP/HTTP logs endpoint, e.g. `http://collector:4318/v1/logs`. */
  url: string;
  /** Extra resource attributes (service.name, deployment.environment and service.version come from the events). @default {} */
  resource?: Record<string, string | number | boolean>;
}

/** OTLP AnyValue (JSON encoding). */
type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: KeyValue[] } };
interface KeyValue {
  key: string;
  value: AnyValue;
}

function anyValue(value: unknown): AnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  if (typeof value === 'object' && value !== null) return { kvlistValue: { values: attributes(value as Record<string, unknown>) } };
  return { stringValue: String(value) };
}

function attributes(record: Record<string, unknown>): KeyValue[] {
  return Object.entries(record).map(([key, value]) => ({ key, value: anyValue(value) }));
}

/** Fields that map to OTLP record or resource fields instead of attributes. */
const LIFTED = new Set(['level', 'time', 'msg', 'service', 'env', 'version', 'traceId', 'spanId', 'error']);

/** One shiplog event as an OTLP LogRecord (error fields follow the `exception.*` conventions). */
export function toLogRecord(event: LogEvent): Record<string, unknown> {
  const record = JSON.parse(event.line) as Record<string, unknown>;
  const level = isLevel(record.level) ? record.level : event.level;
  const attrs: Record<string, unknown> = {};
  for (const key in record) if (!LIFTED.has(key)) attrs[key] = record[key];
  const error = record.error as { name?: unknown; message?: unknown; stack?: unknown } | undefined;
  if (typeof error === 'object' && error !== null) {
    if (error.name !== undefined) attrs['exception.type'] = error.name;
    if (error.message !== undefined) attrs['exception.message'] = error.message;
    if (error.stack !== undefined) attrs['exception.stacktrace'] = error.stack;
  } else if (error !== undefined) attrs.error = error;
  const parsed = typeof record.time === 'string' ? Date.parse(record.time) : Number.NaN;
  const ms = Number.isNaN(parsed) ? event.time : parsed;
  const out: Record<string, unknown> = {
    timeUnixNano: `${ms}000000`,
    observedTimeUnixNano: `${event.time}000000`,
    severityNumber: SEVERITY_NUMBER[level],
    severityText: level.toUpperCase(),
    attributes: attributes(attrs),
  };
  if (record.msg !== undefined) out.body = { stringValue: String(record.msg) };
  if (typeof record.traceId === 'string') out.traceId = record.traceId;
  if (typeof record.spanId === 'string') out.spanId = record.spanId;
  return out;
}

/** An OTLP/HTTP JSON `ExportLogsServiceRequest` for one batch. */
export function encodeOtlp(batch: readonly LogEvent[], extra: Record<string, unknown> = {}): string {
  const first = batch[0] === undefined ? {} : (JSON.parse(batch[0].line) as Record<string, unknown>);
  const resource: Record<string, unknown> = { ...extra };
  if (first.service !== undefined) resource['service.name'] = first.service;
  if (first.env !== undefined) resource['deployment.environment'] = first.env;
  if (first.version !== undefined) resource['service.version'] = first.version;
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: attributes(resource) },
        scopeLogs: [{ scope: { name: 'shiplog' }, logRecords: batch.map(toLogRecord) }],
      },
    ],
  });
}

const OTLP_SINK_KEYS = [...HTTP_SINK_KEYS.filter((key) => key !== 'format' && key !== 'encode'), 'resource'];

/**
 * Exports events to any OpenTelemetry collector (or Loki, ClickHouse, a vendor) over OTLP/HTTP
 * with JSON encoding. Same delivery rules as `httpSink`: retries on 408/429/5xx, Retry-After.
 */
export function otlpSink(options: OtlpSinkOptions): Sink {
  checkOptionKeys(options ?? {}, OTLP_SINK_KEYS, 'otlpSink');
  const { resource, ...http } = options;
  return httpSink({
    name: 'otlp',
    ...http,
    encode: { contentType: 'application/json', body: (batch) => encodeOtlp(batch, resource) },
  });
}
