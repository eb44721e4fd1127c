import { DEFAULT_TABLE, statementAdapter, type DatabaseAdapter } from './rows.js';

/** What the adapter needs of a client: `pg`'s Pool or Client, or a PGlite instance. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** Options of {@link pgAdapter}. */
export interface PgAdapterOptions {
  /** A `pg` Pool (recommended: it reconnects after the database restarts), a `pg` Client, or PGlite. */
  client: PgQueryable;
  /** Table (optionally `schema.table`) created with `logTableDdl()`. @default 'shiplog_events' */
  table?: string;
}

/**
 * Inserts with parameterized multi-row `INSERT … ON CONFLICT (id) DO NOTHING` statements
 * through `client.query(text, values)`: works with `pg` (Pool/Client) and PGlite.
 * With a `pg` Pool, add `pool.on('error', …)`: node-postgres emits errors of idle clients
 * there when the server goes away, and an unhandled 'error' event ends the process.
 */
export function pgAdapter(options: PgAdapterOptions): DatabaseAdapter {
  return statementAdapter('pg', options.table ?? DEFAULT_TABLE, (text, values) => options.client.query(text, values));
}
