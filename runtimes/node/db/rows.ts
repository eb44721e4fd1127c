import type { LogEvent } from '../../../src/index.js';

/** One row of the log table (see {@link logTableDdl}). */
export interface LogRow {
  /** UUID derived from the event's `eventId` (random, given once, without ids); a retried insert reuses it, so a row lands once. */
  id: string;
  time: Date;
  level: string;
  message: string | null;
  service: string | null;
  requestId: string | null;
  /** The whole event as JSON text (the line the logger serialized). */
  data: string;
}

/**
 * Writes rows to a database. Inserts must be idempotent on `id` (`ON CONFLICT (id) DO
 * NOTHING` or equivalent): after a timeout the same rows can come again. Throw to fail the
 * batch; errors are retried unless they carry an HTTP-like 4xx `status` or are a `SinkError`
 * with `retryable: false`.
 */
export interface DatabaseAdapter {
  /** Which adapter this is (`pg`, `postgres`, `drizzle`, `prisma`), for diagnostics. */
  readonly name: string;
  insert(rows: readonly LogRow[], signal: AbortSignal): Promise<void>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Default table name. */
export const DEFAULT_TABLE = 'shiplog_events';

/**
 * DDL of the log table for PostgreSQL (PGlite included). `data` keeps the whole event, so
 * nothing is lost to the column choice; the other columns are for indexing and filtering.
 */
export function logTableDdl(table: string = DEFAULT_TABLE): string {
  const name = quoteTable(table);
  const index = quoteIdentifier(`${table.split('.').pop() as string}_time_idx`);
  return `CREATE TABLE IF NOT EXISTS ${name} (
  id uuid PRIMARY KEY,
  time timestamptz(3) NOT NULL,
  level text NOT NULL,
  message text,
  service text,
  request_id text,
  data jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS ${index} ON ${name} (time);`;
}

/** DDL of the default `shiplog_events` table. */
export const LOG_TABLE_DDL: string = /* @__PURE__ */ logTableDdl();

/** `"name"`, after checking it is a plain identifier (table names never come from log data). */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new TypeError(`shiplog: invalid SQL identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** `"schema"."table"` or `"table"`. */
export function quoteTable(table: string): string {
  const parts = table.split('.');
  if (parts.length > 2) throw new TypeError(`shiplog: invalid table name ${JSON.stringify(table)} (use table or schema.table)`);
  return parts.map(quoteIdentifier).join('.');
}

/** NUL, and a UTF-16 surrogate without its pair: PostgreSQL stores neither in `text` nor in `jsonb`. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** Cheap test for a line that may hold them as JSON escapes (how JSON.stringify writes them); false positives only cost a re-serialization. */
const UNSTORABLE_ESCAPE = /\\u(?:0000|d[89a-f])|\u0000/i;

/** A string PostgreSQL can store: NUL and lone surrogates become U+FFFD. */
function storable(text: string): string {
  return text.replace(UNSTORABLE, '\ufffd');
}

function storableValue(value: unknown): unknown {
  if (typeof value === 'string') return storable(value);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(storableValue);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // defineProperty: a "__proto__" key stays a plain field.
    Object.defineProperty(out, storable(key), { value: storableValue(item), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const str = (value: unknown): string | null => (typeof value === 'string' ? storable(value) : null);

/**
 * The row of an event. Fields the line does not carry are null. A NUL character or a lone
 * surrogate (which a logged string may hold) is replaced by U+FFFD in every column, `data`
 * included: PostgreSQL refuses both, and one such event would fail its whole batch on every retry.
 */
export function toLogRow(event: LogEvent, id: string): LogRow {
  let fields: Record<string, unknown> = {};
  let data = event.line;
  try {
    fields = JSON.parse(event.line) as Record<string, unknown>;
    if (UNSTORABLE_ESCAPE.test(data)) data = JSON.stringify(storableValue(fields));
  } catch {
    // Lines are produced by the serializer and always parse; keep the row regardless.
  }
  return {
    id,
    time: new Date(event.time),
    level: event.level,
    message: str(fields.msg),
    service: str(fields.service),
    requestId: str(fields.requestId),
    data,
  };
}

/** Rows per statement; each column travels as one array parameter, so this only bounds its size. */
export const ROWS_PER_STATEMENT = 5000;

/**
 * A parameterized INSERT of many rows, idempotent on `id`: each column is one array parameter
 * expanded by `unnest`, so the statement text is the same for every batch size (one prepared
 * statement, faster than a VALUES list on PGlite) and values are never spliced into the text.
 * Shared by the pg, PGlite and postgres.js adapters. `data` travels as text and is cast to
 * jsonb in SQL: typed as jsonb, postgres.js would JSON-encode the string a second time.
 */
export function insertStatement(table: string, rows: readonly LogRow[]): { text: string; values: unknown[][] } {
  const ids: string[] = [];
  const times: string[] = [];
  const levels: string[] = [];
  const messages: (string | null)[] = [];
  const services: (string | null)[] = [];
  const requestIds: (string | null)[] = [];
  const data: string[] = [];
  for (const row of rows) {
    ids.push(row.id);
    times.push(row.time.toISOString());
    levels.push(row.level);
    messages.push(row.message);
    services.push(row.service);
    requestIds.push(row.requestId);
    data.push(row.data);
  }
  const text =
    `INSERT INTO ${quoteTable(table)} (id, time, level, message, service, request_id, data) ` +
    'SELECT id, time, level, message, service, request_id, data::jsonb ' +
    'FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) ' +
    'AS r(id, time, level, message, service, request_id, data) ON CONFLICT (id) DO NOTHING';
  return { text, values: [ids, times, levels, messages, services, requestIds, data] };
}

/** Splits rows into statement-sized chunks. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * An adapter that inserts through a client's "run this parameterized statement" call, in
 * multi-row INSERTs of at most ROWS_PER_STATEMENT rows (shared by the pg and postgres.js adapters).
 */
export function statementAdapter(
  name: string,
  table: string,
  run: (text: string, values: unknown[]) => PromiseLike<unknown>,
): DatabaseAdapter {
  quoteTable(table);
  return {
    name,
    async insert(rows: readonly LogRow[]): Promise<void> {
      for (const part of chunks(rows, ROWS_PER_STATEMENT)) {
        const { text, values } = insertStatement(table, part);
        await run(text, values);
      }
    },
  };
}
