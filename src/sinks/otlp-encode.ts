/**
 * shiplog events as an OTLP/HTTP JSON `ExportLogsServiceRequest`, exactly as the OTLP/JSON
 * encoding says: camelCase field names, trace/span ids as lowercase hex, 64-bit integers as
 * decimal strings, enums as numbers. Every record must be one a collector accepts, because a
 * single invalid record (an int64 that overflows, a trace id that is not hex) makes it reject the
 * whole request.
 */
import { SEVERITY_NUMBER, isLevel, type LogEvent } from '../event.js';

/** OTLP AnyValue (JSON encoding). `{}` is the empty value (a JSON `null`). */
export type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: KeyValue[] } }
  | Record<string, never>;

/** OTLP KeyValue (JSON encoding). */
export interface KeyValue {
  key: string;
  value: AnyValue;
}

/** OTLP LogRecord (JSON encoding) as shiplog writes it. */
export interface OtlpLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body?: AnyValue;
  attributes: KeyValue[];
  traceId?: string;
  spanId?: string;
  flags?: number;
}

/** The instrumentation scope of every record. */
export const OTLP_SCOPE = { name: 'shiplog', version: '0.1.0' } as const;

/**
 * A JSON value as an OTLP AnyValue. Integers are `intValue` only while they are safe integers
 * (an int64 written as a decimal string); larger ones (`1e21`) and fractions are `doubleValue`.
 */
export function anyValue(value: unknown): AnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isSafeInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (value === null || value === undefined) return {};
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  if (typeof value === 'object') return { kvlistValue: { values: keyValues(value as Record<string, unknown>) } };
  return { stringValue: String(value) };
}

/** A record's entries as OTLP KeyValues, in order. */
export function keyValues(record: Record<string, unknown>): KeyValue[] {
  const out: KeyValue[] = [];
  for (const key in record) out.push({ key, value: anyValue(record[key]) });
  return out;
}

const HEX_TRACE_ID = /^[\da-f]{32}$/i;
const HEX_SPAN_ID = /^[\da-f]{16}$/i;
const ZEROS = /^0+$/;

/** A valid OTLP id: hex of the right length and not all zeros (the spec's invalid id). */
function validId(value: unknown, pattern: RegExp): string | undefined {
  return typeof value === 'string' && pattern.test(value) && !ZEROS.test(value) ? value.toLowerCase() : undefined;
}

/** W3C trace flags as written by shiplog (`traceFlags`: a number 0..255 or two hex digits). */
function traceFlags(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^[\da-f]{2}$/i.test(value) ? Number.parseInt(value, 16) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 255 ? n : undefined;
}

/**
 * A serialized error as `exception.*` attributes: type, message and stack trace, plus
 * `exception.code` and `exception.cause` (the cause chain as nested values) where the error has
 * them, and `exception.details` for its other own fields. Nothing the serializer kept is lost.
 */
function exceptionAttributes(error: Record<string, unknown>, attrs: Record<string, unknown>): void {
  const { name, message, stack, code, cause, ...details } = error;
  if (name !== undefined) attrs['exception.type'] = name;
  if (message !== undefined) attrs['exception.message'] = message;
  if (stack !== undefined) attrs['exception.stacktrace'] = stack;
  if (code !== undefined) attrs['exception.code'] = code;
  if (cause !== undefined) attrs['exception.cause'] = cause;
  if (Object.keys(details).length > 0) attrs['exception.details'] = details;
}

/** Fields that become record or resource fields instead of attributes (when valid). */
const LIFTED = new Set(['level', 'time', 'msg', 'service', 'env', 'version', 'error', 'eventId', 'traceFlags']);

/** Epoch milliseconds as a nanosecond decimal string (OTLP's fixed64 in JSON). */
function nanos(ms: number): string {
  const whole = Math.floor(ms);
  return (BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6))).toString();
}

/** The parsed line of one event (an object; a line that is not one is carried as the body). */
export function parseLine(event: LogEvent): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(event.line);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // not JSON: carried as the body below
  }
  return { msg: event.line };
}

/** One shiplog event as an OTLP LogRecord. */
export function toLogRecord(event: LogEvent, record: Record<string, unknown> = parseLine(event)): OtlpLogRecord {
  const level = isLevel(record.level) ? record.level : event.level;
  const traceId = validId(record.traceId, HEX_TRACE_ID);
  const spanId = traceId === undefined ? undefined : validId(record.spanId, HEX_SPAN_ID);
  const attrs: Record<string, unknown> = {};
  for (const key in record) {
    if (LIFTED.has(key)) continue;
    // An id that is not valid stays an attribute: never an invalid id field, never lost.
    if ((key === 'traceId' && traceId !== undefined) || (key === 'spanId' && spanId !== undefined)) continue;
    attrs[key] = record[key];
  }
  const error = record.error;
  if (typeof error === 'object' && error !== null && !Array.isArray(error)) exceptionAttributes(error as Record<string, unknown>, attrs);
  else if (error !== undefined) attrs.error = error;
  if (typeof record.eventId === 'string') attrs['log.record.uid'] = record.eventId;
  else if (record.eventId !== undefined) attrs.eventId = record.eventId;
  const parsed = typeof record.time === 'string' ? Date.parse(record.time) : Number.NaN;
  const out: OtlpLogRecord = {
    timeUnixNano: nanos(Number.isNaN(parsed) ? event.time : parsed),
    observedTimeUnixNano: nanos(event.time),
    severityNumber: SEVERITY_NUMBER[level],
    severityText: level.toUpperCase(),
    attributes: keyValues(attrs),
  };
  if (record.msg !== undefined) out.body = anyValue(record.msg);
  if (traceId !== undefined) {
    out.traceId = traceId;
    if (spanId !== undefined) out.spanId = spanId;
    const flags = traceFlags(record.traceFlags);
    if (flags !== undefined) out.flags = flags;
  }
  return out;
}

/** Resource attributes: the sink's base, then the event's service, env and version. */
function resourceOf(record: Record<string, unknown>, base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const resource: Record<string, unknown> = { ...base };
  if (record.service !== undefined) resource['service.name'] = record.service;
  if (record.env !== undefined) resource['deployment.environment.name'] = record.env;
  if (record.version !== undefined) resource['service.version'] = record.version;
  return { ...resource, ...extra };
}

/** Options of {@link encodeOtlp}. */
export interface EncodeOtlpOptions {
  /** Resource attributes under the events' own (from `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_SERVICE_NAME`). @default {} */
  base?: Record<string, unknown>;
  /** Resource attributes over the events' own (the sink's `resource` option). @default {} */
  resource?: Record<string, unknown>;
}

/**
 * An OTLP/HTTP JSON `ExportLogsServiceRequest` for one batch: one ResourceLogs per distinct
 * (service, env, version), one ScopeLogs (`shiplog` and its version) in each.
 */
export function encodeOtlp(batch: readonly LogEvent[], options: EncodeOtlpOptions = {}): string {
  const groups = new Map<string, { resource: Record<string, unknown>; records: OtlpLogRecord[] }>();
  for (const event of batch) {
    const record = parseLine(event);
    const key = JSON.stringify([record.service, record.env, record.version]);
    let group = groups.get(key);
    if (group === undefined) {
      group = { resource: resourceOf(record, options.base ?? {}, options.resource ?? {}), records: [] };
      groups.set(key, group);
    }
    group.records.push(toLogRecord(event, record));
  }
  const resourceLogs = [...groups.values()].map(({ resource, records }) => ({
    resource: { attributes: keyValues(resource) },
    scopeLogs: [{ scope: { ...OTLP_SCOPE }, logRecords: records }],
  }));
  return JSON.stringify({ resourceLogs });
}
