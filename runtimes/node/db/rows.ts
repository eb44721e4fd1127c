import type { LogEvent } from '../../../src/index.js';

/** One row of the log table (see {@link logTableDdl}). */
export interface LogRow {
  /** Random UUID given to the event once; a retried insert reuses it, so a row lands once. */
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
  /** Name used in stats (`database:<name>`). */
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
  return table.split('.').map(quoteIdentifier).join('.');
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The row of an event. Fields the line does not carry are null. */
export function toLogRow(event: LogEvent, id: string): LogRow {
  let fields: Record<string, unknown> = {};
  try {
    fields = JSON.parse(event.line) as Record<string, unknown>;
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
    data: event.line,
  };
}

const COLUMNS = '(id, time, level, message, service, request_id, data)';
/** Rows per statement: PostgreSQL allows 65535 parameters; 7 per row. */
export const ROWS_PER_STATEMENT = 1000;

/**
 * A parameterized multi-row INSERT (`$1 … $n`, values never spliced into the text), idempotent
 * on `id`. Shared by the pg, PGlite and postgres.js adapters.
 */
export function insertStatement(table: string, rows: readonly LogRow[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const tuples: string[] = [];
  for (const row of rows) {
    const n = values.length;
    // `::text::jsonb`: the parameter is text holding JSON. Typed as jsonb, postgres.js would
    // JSON-encode the string again and store a JSON string instead of the object.
    tuples.push(`($${n + 1}::uuid, $${n + 2}::timestamptz, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7}::text::jsonb)`);
    values.push(row.id, row.time.toISOString(), row.level, row.message, row.service, row.requestId, row.data);
  }
  return { text: `INSERT INTO ${quoteTable(table)} ${COLUMNS} VALUES ${tuples.join(', ')} ON CONFLICT (id) DO NOTHING`, values };
}

/** Splits rows into statement-sized chunks. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
