/**
 * The ClickHouse table shiplog writes wide events to, and how one event becomes one row. Works
 * on ClickHouse 18.16 (Debian's package) and later: no DateTime64, JSON type or
 * insert_deduplication_token is needed. Exactly once comes from the event id: the table is a
 * ReplacingMergeTree ordered by (service, time, event_id), so a row sent twice (a retry after an
 * unknown outcome) collapses into one at merge time, and `FINAL` (or `argMax`/`uniqExact(event_id)`)
 * gives exact answers before that.
 */
import type { LogEvent } from '../event.js';

/** One row of the shiplog table (JSONEachRow). */
export interface ClickHouseRow {
  event_id: string;
  /** Seconds since the epoch (the DateTime column; partitions are by its day). */
  time: number;
  /** Milliseconds since the epoch (exact time; 18.16 has no DateTime64). */
  time_ms: number;
  level: string;
  service: string;
  env: string;
  version: string;
  msg: string;
  request_id: string;
  trace_id: string;
  span_id: string;
  method: string;
  /** `route` when the event has one (a framework route pattern), else `path`. */
  route: string;
  path: string;
  /** HTTP status; 0 when none. */
  status: number;
  /** Wide event duration; 0 when none. */
  duration_ms: number;
  error_type: string;
  error_message: string;
  /** The complete JSON line: every field, queryable with `visitParamExtract*` / `JSONExtract*`. */
  line: string;
}

/** Options of {@link clickhouseTableSql}. */
export interface ClickHouseTableOptions {
  /** Table name, optionally `database.table`. @default 'shiplog_events' */
  table?: string;
  /** Rows older than this many days are deleted by a TTL clause (ClickHouse 19.6+; on 18.16 drop old partitions instead). @default undefined (no TTL) */
  ttlDays?: number;
}

/**
 * The documented DDL of the shiplog table: wide-event columns plus the raw line, partitioned by
 * day, deduplicated by event id. `date` is MATERIALIZED (computed at insert, never sent).
 */
export function clickhouseTableSql(options: ClickHouseTableOptions = {}): string {
  const table = options.table ?? 'shiplog_events';
  const ttl = options.ttlDays === undefined ? '' : `\nTTL date + INTERVAL ${Math.floor(options.ttlDays)} DAY`;
  return `CREATE TABLE IF NOT EXISTS ${table} (
  event_id String,
  time DateTime,
  time_ms UInt64,
  date Date MATERIALIZED toDate(time),
  level String,
  service String,
  env String,
  version String,
  msg String,
  request_id String,
  trace_id String,
  span_id String,
  method String,
  route String,
  path String,
  status UInt16,
  duration_ms Float64,
  error_type String,
  error_message String,
  line String
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(time)
ORDER BY (service, time, event_id)${ttl}`;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value));
const num = (value: unknown, max: number): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max ? value : 0);

/** Ids given to events without an `eventId`, kept per event object so a retry sends the same id. */
const fallbackIds = new WeakMap<LogEvent, string>();
let fallbackCounter = 0;
const fallbackPrefix = Math.random().toString(36).slice(2, 10);

/** The event's `eventId` (in its line, or as `event.id`), else a stable one for this event object. */
export function eventIdOf(event: LogEvent, record: Record<string, unknown>): string {
  if (typeof record.eventId === 'string' && record.eventId !== '') return record.eventId;
  const own = (event as { readonly id?: unknown }).id;
  if (typeof own === 'string' && own !== '') return own;
  let id = fallbackIds.get(event);
  if (id === undefined) {
    id = `${fallbackPrefix}-${(fallbackCounter++).toString(36)}`;
    fallbackIds.set(event, id);
  }
  return id;
}

/** One event as a row of the shiplog table. */
export function toClickHouseRow(event: LogEvent, record: Record<string, unknown>): ClickHouseRow {
  const parsed = typeof record.time === 'string' ? Date.parse(record.time) : Number.NaN;
  const ms = Number.isNaN(parsed) ? event.time : parsed;
  const error = typeof record.error === 'object' && record.error !== null ? (record.error as Record<string, unknown>) : undefined;
  return {
    event_id: eventIdOf(event, record),
    time: Math.floor(ms / 1000),
    time_ms: Math.floor(ms),
    level: str(record.level ?? event.level),
    service: str(record.service),
    env: str(record.env),
    version: str(record.version),
    msg: str(record.msg),
    request_id: str(record.requestId),
    trace_id: str(record.traceId),
    span_id: str(record.spanId),
    method: str(record.method),
    route: str(record.route ?? record.path),
    path: str(record.path),
    status: Math.floor(num(record.status, 65_535)),
    duration_ms: num(record.durationMs, Number.MAX_VALUE),
    error_type: str(error?.name ?? (record.error === undefined ? undefined : 'Error')),
    error_message: str(error?.message ?? (error === undefined ? record.error : undefined)),
    line: event.line,
  };
}
