/**
 * `shiplog/clickhouse`: wide events straight into ClickHouse over its HTTP interface
 * (`INSERT … FORMAT JSONEachRow`). fetch only, so it runs in every runtime.
 */
import { parseRetryAfter, type RetryOptions } from '../backoff.js';
import type { LogEvent } from '../event.js';
import type { BatchOptions, Sink } from '../pipeline.js';
import { isRetryableStatus, SinkError } from '../sink-error.js';
import { parseLine } from './otlp-encode.js';
import { toClickHouseRow } from './clickhouse-table.js';
import { httpSink } from './http.js';

export { clickhouseTableSql, toClickHouseRow, eventIdOf, type ClickHouseRow, type ClickHouseTableOptions } from './clickhouse-table.js';

/** Options of {@link clickhouseSink}. */
export interface ClickHouseSinkOptions {
  /** ClickHouse HTTP interface, e.g. `http://clickhouse:8123`. */
  url: string;
  /** Table to insert into, optionally `database.table` (create it with `clickhouseTableSql()`). @default 'shiplog_events' */
  table?: string;
  /** Database the table is in (the `database` parameter). @default the user's default database */
  database?: string;
  /** User (`X-ClickHouse-User`). @default undefined (ClickHouse's `default` user) */
  username?: string;
  /** Password (`X-ClickHouse-Key`). @default undefined */
  password?: string;
  /** Extra request headers. @default {} */
  headers?: Record<string, string>;
  /** Maps an event to a row of your own table instead of the shiplog table. @default toClickHouseRow */
  row?: (record: Record<string, unknown>, event: LogEvent) => Record<string, unknown>;
  /** Extra ClickHouse settings sent with each insert (query parameters). @default {} */
  settings?: Record<string, string | number>;
  /** gzip request bodies where CompressionStream exists (ClickHouse decompresses them). @default false */
  gzip?: boolean;
  /** Longest one insert may take before it is aborted and retried. @default the logger's `sendTimeoutMs` */
  timeoutMs?: number;
  /** fetch implementation. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Batching: ClickHouse wants few large inserts. @default { size: 1000, maxBytes: 4194304, intervalMs: 2000 } */
  batch?: BatchOptions;
  /** Retries. @default the logger's */
  retry?: RetryOptions;
  /** Events buffered before the oldest is dropped. @default 10000 */
  maxBufferSize?: number;
  /** Sink name in stats. @default 'clickhouse' */
  name?: string;
}

/**
 * ClickHouse error codes that no retry can fix: the rows cannot be parsed or do not fit the
 * table (6, 26, 27, 38, 41, 53, 69, 70, 72, 117), the table, column, setting or user is wrong
 * (16, 36, 47, 60, 62, 81, 115, 192-195, 497, 516). ClickHouse 18.16 answers these with HTTP 500,
 * so the code in the body decides, not the status.
 */
export const CLICKHOUSE_FINAL_CODES: ReadonlySet<number> = new Set([6, 16, 26, 27, 36, 38, 41, 47, 53, 60, 62, 69, 70, 72, 81, 115, 117, 192, 193, 194, 195, 497, 516]);

/** The `Code: N` of a ClickHouse error body (or the `X-ClickHouse-Exception-Code` header). */
export function clickhouseErrorCode(body: string, header?: string | null): number | undefined {
  const text = header ?? /Code: (\d+)/.exec(body)?.[1];
  const code = text === undefined || text === null ? Number.NaN : Number(text);
  return Number.isInteger(code) ? code : undefined;
}

/**
 * Inserts batches into ClickHouse as JSONEachRow. Delivered = ClickHouse answered 200 (the block
 * is written). Network errors, timeouts, 5xx and transient ClickHouse errors are retried; a
 * malformed row or a schema/auth error is final (dropped with reason `rejected`). A retry after
 * an unknown outcome may insert a block twice: the table's ReplacingMergeTree on `event_id`
 * keeps one (query with `FINAL`); `insert_deduplicate=1` also drops a repeated identical block on
 * Replicated tables.
 */
export function clickhouseSink(options: ClickHouseSinkOptions): Sink {
  if (typeof options?.url !== 'string' || options.url === '') throw new TypeError('shiplog: clickhouseSink option "url" must be a non-empty string');
  const table = options.table ?? 'shiplog_events';
  if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)?$/.test(table)) throw new TypeError(`shiplog: clickhouseSink option "table" must be an identifier (db.table); got ${JSON.stringify(table)}`);
  const params = new URLSearchParams({ query: `INSERT INTO ${table} FORMAT JSONEachRow`, insert_deduplicate: '1' });
  if (options.database !== undefined) params.set('database', options.database);
  for (const [key, value] of Object.entries(options.settings ?? {})) params.set(key, String(value));
  const endpoint = `${options.url.replace(/\/+$/, '')}/?${params}`;
  const headers: Record<string, string> = { ...options.headers };
  if (options.username !== undefined) headers['x-clickhouse-user'] = options.username;
  if (options.password !== undefined) headers['x-clickhouse-key'] = options.password;
  const toRow = options.row ?? ((record: Record<string, unknown>, event: LogEvent) => toClickHouseRow(event, record));
  /** ClickHouse's answer to a failed insert, classified by its error code (the status alone says 500). */
  const classifyingFetch: typeof fetch = async (input, init) => {
    const response = await (options.fetch ?? globalThis.fetch)(input, init);
    if (response.ok) return response;
    const { status } = response;
    const text = await response.text().catch(() => '');
    const code = clickhouseErrorCode(text, response.headers.get('x-clickhouse-exception-code'));
    const final = code !== undefined && CLICKHOUSE_FINAL_CODES.has(code);
    throw new SinkError(`ClickHouse HTTP ${status}${code === undefined ? '' : ` (Code: ${code})`}: ${text.slice(0, 300).trim()}`, {
      status,
      retryable: !final && isRetryableStatus(status),
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    });
  };
  const sink = httpSink({
    name: options.name ?? 'clickhouse',
    url: endpoint,
    headers,
    gzip: options.gzip === true,
    timeoutMs: options.timeoutMs,
    fetch: classifyingFetch,
    batch: options.batch ?? { size: 1000, maxBytes: 4_194_304, intervalMs: 2000 },
    ...(options.retry ? { retry: options.retry } : {}),
    encode: {
      contentType: 'application/x-ndjson',
      body(batch) {
        let body = '';
        for (const event of batch) body += `${JSON.stringify(toRow(parseLine(event), event))}\n`;
        return body;
      },
    },
  });
  return { ...sink, maxBufferSize: options.maxBufferSize ?? 10_000 };
}
