/** What every connector shares: its options and the line → vendor-object plumbing. */
import type { Level, LogEvent } from '../event.js';
import { isLevel } from '../event.js';
import type { Sink } from '../pipeline.js';
import { httpSink, type HttpSinkOptions } from '../sinks/http.js';
import { parseLine } from '../sinks/otlp-encode.js';

/** Delivery options every connector accepts (those of `httpSink`). */
export type ConnectorOptions = Pick<HttpSinkOptions, 'timeoutMs' | 'fetch' | 'batch' | 'retry' | 'name' | 'gzip' | 'keepalive'>;

/** A parsed event line and its level. */
export interface ParsedEvent {
  record: Record<string, unknown>;
  level: Level;
  /** Event time, epoch milliseconds (from the line's `time`, else when it was logged). */
  ms: number;
}

/** Parses each event of a batch once. */
export function parseEvent(event: LogEvent): ParsedEvent {
  const record = parseLine(event);
  const parsed = typeof record.time === 'string' ? Date.parse(record.time) : Number.NaN;
  return { record, level: isLevel(record.level) ? record.level : event.level, ms: Number.isNaN(parsed) ? event.time : parsed };
}

/** A body encoder: the batch as a JSON array of vendor objects, one per event. */
export function jsonArray(map: (event: ParsedEvent) => Record<string, unknown>): (batch: readonly LogEvent[]) => string {
  return (batch) => JSON.stringify(batch.map((event) => map(parseEvent(event))));
}

/** `record` without `keys`. */
export function omit(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in record) if (!keys.includes(key)) out[key] = record[key];
  return out;
}

/**
 * An httpSink whose batch size never passes the vendor's documented cap (a flush still splits
 * into batches of at most `size`).
 */
export function vendorSink(
  name: string,
  options: ConnectorOptions,
  init: { url: string; headers: Record<string, string>; contentType: string; body(batch: readonly LogEvent[]): string; maxBatchSize?: number },
): Sink {
  const { batch, ...rest } = options;
  const cap = init.maxBatchSize;
  const size = cap === undefined ? batch?.size : Math.min(batch?.size ?? cap, cap);
  return httpSink({
    name,
    ...rest,
    ...(batch !== undefined || size !== undefined ? { batch: { ...batch, ...(size === undefined ? {} : { size }) } } : {}),
    url: init.url,
    headers: init.headers,
    encode: { contentType: init.contentType, body: init.body },
  });
}
