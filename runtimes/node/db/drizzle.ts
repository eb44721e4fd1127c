import type { DatabaseAdapter, LogRow } from './rows.js';

/** The insert builder the adapter uses (drizzle-orm's `PgInsertBuilder` fits). */
interface DrizzleInsert extends PromiseLike<unknown> {
  onConflictDoNothing?(): PromiseLike<unknown>;
}

/** What the adapter needs of a Drizzle database: `db.insert(table).values(rows)`. */
export interface DrizzleDatabase {
  insert(table: never): { values(rows: never): DrizzleInsert };
}

/** Options of {@link drizzleAdapter}. */
export interface DrizzleAdapterOptions<Table = unknown> {
  /** A Drizzle database (`drizzle({ client })` for PGlite, node-postgres, postgres.js …). */
  db: DrizzleDatabase;
  /**
   * The log table, with the keys `id` (uuid), `time` (timestamp with time zone), `level`,
   * `message`, `service`, `requestId`, `data` (jsonb); see the README for a pgTable definition
   * matching `logTableDdl()`.
   */
  table: Table;
}

/**
 * Inserts with `db.insert(table).values(rows).onConflictDoNothing()` (idempotent on `id`, so a
 * retried batch lands once). `data` is handed over parsed, for a `jsonb` column.
 */
export function drizzleAdapter<Table>(options: DrizzleAdapterOptions<Table>): DatabaseAdapter {
  const { db, table } = options;
  return {
    name: 'drizzle',
    async insert(rows: readonly LogRow[]): Promise<void> {
      const values = rows.map((row) => ({ ...row, data: JSON.parse(row.data) as unknown }));
      const insert = db.insert(table as never).values(values as never);
      await (typeof insert.onConflictDoNothing === 'function' ? insert.onConflictDoNothing() : insert);
    },
  };
}
