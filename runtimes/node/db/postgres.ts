import { DEFAULT_TABLE, statementAdapter, type DatabaseAdapter } from './rows.js';

/** What the adapter needs of a postgres.js `sql` instance. */
export interface PostgresSql {
  /** postgres.js: runs `text` with `$n` parameters bound to `values` (values are not spliced). */
  unsafe(text: string, values?: unknown[]): PromiseLike<unknown>;
}

/** Options of {@link postgresAdapter}. */
export interface PostgresAdapterOptions {
  /** The `sql` function returned by `postgres(url)`. */
  sql: PostgresSql;
  /** Table (optionally `schema.table`) created with `logTableDdl()`. @default 'shiplog_events' */
  table?: string;
}

/**
 * Inserts through postgres.js with parameterized multi-row `INSERT … ON CONFLICT (id) DO
 * NOTHING` statements. (`sql.unsafe` is postgres.js's call for a statement whose text is built
 * at runtime; here the text holds only `$n` placeholders and a checked table name, and every
 * value is a bound parameter.)
 */
export function postgresAdapter(options: PostgresAdapterOptions): DatabaseAdapter {
  return statementAdapter('postgres', options.table ?? DEFAULT_TABLE, (text, values) => options.sql.unsafe(text, values));
}
