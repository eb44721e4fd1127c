/**
 * What the collector receives, turned into shiplog's event shape: shiplog HTTP batches (a JSON
 * array, or NDJSON), and OTLP/HTTP JSON logs (`ExportLogsServiceRequest`), mapped back the way
 * `otlpSink` maps them out (severity → level, body → msg, resource service.name → service,
 * `exception.*` → error, attributes → fields). Never throws on any input.
 */
import { LEVELS, type Level } from '../../../src/index.js';

/** A received event: a plain object in shiplog's line shape. */
export type Received = Record<string, unknown>;

/** Parsed body: the events, and how many entries were not events. */
export interface Decoded {
  events: Received[];
  invalid: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A shiplog batch: a JSON array of events, or NDJSON (one per line). Undefined: not parseable at all. */
export function decodeBatch(text: string): Decoded | undefined {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return undefined;
    }
    if (!Array.isArray(parsed)) return undefined;
    const events = parsed.filter(isObject);
    return { events, invalid: parsed.length - events.length };
  }
  const decoded: Decoded = { events: [], invalid: 0 };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (isObject(parsed)) decoded.events.push(parsed);
      else decoded.invalid++;
    } catch {
      decoded.invalid++;
    }
  }
  return decoded.events.length === 0 && decoded.invalid > 0 && !text.includes('\n') ? undefined : decoded;
}

/** OTLP AnyValue (JSON encoding) to a plain value; depth-bounded. */
function plain(value: unknown, depth = 0): unknown {
  if (!isObject(value) || depth > 32) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) {
    const n = Number(value.intValue);
    return Number.isSafeInteger(n) ? n : String(value.intValue);
  }
  if ('doubleValue' in value) return value.doubleValue;
  if ('bytesValue' in value) return value.bytesValue;
  const array = value.arrayValue;
  if (isObject(array)) return Array.isArray(array.values) ? array.values.map((v) => plain(v, depth + 1)) : [];
  const kvlist = value.kvlistValue;
  if (isObject(kvlist)) return attributesOf(kvlist.values, depth + 1);
  return undefined;
}

function attributesOf(list: unknown, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const item of list) {
    if (!isObject(item) || typeof item.key !== 'string') continue;
    // defineProperty: a key named "__proto__" stays a plain field.
    Object.defineProperty(out, item.key, { value: plain(item.value, depth), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** OTLP severity number (1–24) to a shiplog level: each OTel range of four maps to one level. */
function levelOf(record: Record<string, unknown>): Level {
  const text = typeof record.severityText === 'string' ? record.severityText.toLowerCase() : '';
  if ((LEVELS as readonly string[]).includes(text)) return text as Level;
  if (text === 'warning') return 'warn';
  const n = Number(record.severityNumber);
  if (Number.isInteger(n) && n >= 1 && n <= 24) return LEVELS[Math.min(5, Math.floor((n - 1) / 4))] as Level;
  return 'info';
}

function timeOf(nanos: unknown): string | undefined {
  if (typeof nanos !== 'string' && typeof nanos !== 'number') return undefined;
  const text = String(nanos);
  if (!/^\d{1,22}$/.test(text)) return undefined;
  const ms = Number(text.length > 6 ? text.slice(0, -6) : '0');
  return ms > 0 && ms < 8.64e15 ? new Date(ms).toISOString() : undefined;
}

/** Resource attributes that become shiplog's own fields. */
const RESOURCE_FIELDS: Record<string, string> = { 'service.name': 'service', 'deployment.environment.name': 'env', 'deployment.environment': 'env', 'service.version': 'version' };

/** One OTLP log record (with its resource) as a shiplog event. */
function fromLogRecord(record: Record<string, unknown>, resource: Record<string, unknown>): Received {
  const attributes = attributesOf(record.attributes);
  const event: Received = { level: levelOf(record), time: timeOf(record.timeUnixNano) ?? timeOf(record.observedTimeUnixNano) ?? new Date().toISOString() };
  for (const [key, field] of Object.entries(RESOURCE_FIELDS)) if (resource[key] !== undefined) event[field] = resource[key];
  const body = plain(record.body);
  if (body !== undefined) event.msg = typeof body === 'string' ? body : JSON.stringify(body);
  if (typeof record.traceId === 'string' && record.traceId !== '') event.traceId = record.traceId;
  if (typeof record.spanId === 'string' && record.spanId !== '') event.spanId = record.spanId;
  const error: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'exception.type') error.name = value;
    else if (key === 'exception.message') error.message = value;
    else if (key === 'exception.stacktrace') error.stack = value;
    else if (key === 'exception.code') error.code = value;
    else if (key === 'exception.cause') error.cause = value;
    else if (key === 'exception.details' && isObject(value)) for (const [k, v] of Object.entries(value)) Object.defineProperty(error, k, { value: v, enumerable: true, writable: true, configurable: true });
    else if (key === 'log.record.uid') event.eventId = value; // otlpSink sends eventId as log.record.uid
    else if (!(key in event)) Object.defineProperty(event, key, { value, enumerable: true, writable: true, configurable: true });
  }
  if (Object.keys(error).length > 0) event.error = error;
  if (event.runtime === undefined) {
    const runtime = resource['process.runtime.name'] ?? resource['telemetry.sdk.language'];
    if (typeof runtime === 'string') event.runtime = runtime;
  }
  return event;
}

/** An OTLP/HTTP JSON logs request. Undefined when it is not one. */
export function decodeOtlpLogs(text: string, maxEvents: number): Decoded | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || !Array.isArray(parsed.resourceLogs)) return undefined;
  const decoded: Decoded = { events: [], invalid: 0 };
  for (const resourceLogs of parsed.resourceLogs) {
    if (!isObject(resourceLogs)) {
      decoded.invalid++;
      continue;
    }
    const resource = attributesOf(isObject(resourceLogs.resource) ? resourceLogs.resource.attributes : undefined);
    for (const scope of Array.isArray(resourceLogs.scopeLogs) ? resourceLogs.scopeLogs : []) {
      for (const record of isObject(scope) && Array.isArray(scope.logRecords) ? scope.logRecords : []) {
        if (decoded.events.length >= maxEvents) return decoded;
        if (isObject(record)) decoded.events.push(fromLogRecord(record, resource));
        else decoded.invalid++;
      }
    }
  }
  return decoded;
}
