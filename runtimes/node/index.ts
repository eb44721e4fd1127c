/**
 * shiplog for Node: the core API, with NDJSON files (rotation, gzip archives) as the default
 * sink, process-exit safety, reading logs back, and database delivery.
 */
import { randomFillSync } from 'node:crypto';
import { createLoggerWith, type Logger, type LoggerOptions, type Sink } from '../../src/index.js';
import { useRandomFill } from '../../src/internal.js';
import { nodeDefaultSinks } from './default-sinks.js';
import type { FileSinkOptions } from './file-sink.js';
import { registerExitHooks, type ExitOptions } from './lifecycle.js';
import { registerSinks, spoolNetworkSinks } from './spool/status.js';
import type { SpoolOptions } from './spool/options.js';

export * from '../../src/index.js';
export { fileSink, FILE_SINK_DEFAULTS, type FileSink, type FileSinkOptions } from './file-sink.js';
export { registerExitHooks, EXIT_DEFAULTS, type ExitOptions } from './lifecycle.js';
export { readLogFile, type ReadLogOptions, type LogRecord } from './read-log-file.js';
export { parseSince, type TimeSpec } from './time-spec.js';
export { databaseSink, DATABASE_DEFAULTS, type DatabaseSinkOptions, type DeliveryOptions } from './database-sink.js';
export { toLogRow, LOG_TABLE_DDL, logTableDdl, type LogRow, type DatabaseAdapter } from './db/rows.js';
export { pgAdapter, type PgAdapterOptions, type PgQueryable } from './db/pg.js';
export { postgresAdapter, type PostgresAdapterOptions, type PostgresSql } from './db/postgres.js';
export { drizzleAdapter, type DrizzleAdapterOptions, type DrizzleDatabase } from './db/drizzle.js';
export { prismaAdapter, type PrismaAdapterOptions, type PrismaClientLike } from './db/prisma.js';
export { withLogger, type LoggedRequestListener } from './http-server.js';
export { getLogger, runWithLogger } from './request-context.js';
export type { NodeServerOptions } from './server-lifecycle.js';
export * from './spool/index.js';

/** Which build this is; lets tests prove conditional exports resolve to the right file. */
/** Which build the `shiplog` import resolved to (`'node'` here), for checking the conditional exports. */
export const RUNTIME = 'node';

/** Options of the Node `createLogger`. */
export interface NodeLoggerOptions extends LoggerOptions {
  /**
   * The default file sink (used when `sinks` is not given): its options, or `false` for none.
   * `SHIPLOG_DIR` overrides `dir`. @default { dir: 'logs' }
   */
  file?: FileSinkOptions | false;
  /**
   * Readable (pretty) lines on the console besides the other default sinks (used when `sinks` is
   * not given). @default true in development: stdout is a terminal, or `NODE_ENV` is not `production`
   */
  console?: boolean;
  /** Process hooks (beforeExit, signals, exit, opt-in uncaught exceptions), or `false` for none. @default {} (see ExitOptions) */
  exit?: ExitOptions | false;
  /**
   * A durable on-disk spool behind every network sink (those without a synchronous write: http,
   * OTLP, database…), each in `<dir>/<sink name>/`: see docs/spool.md. `flush()` then resolves
   * when events are delivered or safely spooled. @default undefined (no spool)
   */
  spool?: SpoolOptions | false;
}

/**
 * Creates a logger for Node. Default sinks: NDJSON files in `logs/`, an http sink when an
 * endpoint is configured, and in development readable console lines (see `console`); in
 * production with no file and no endpoint, JSON lines on the console. Buffered events are written synchronously at process `exit`,
 * flushed at `beforeExit`, and on SIGTERM/SIGINT flushed before the signal ends the process.
 */
export function createLogger(options: NodeLoggerOptions = {}): Logger {
  useRandomFill(randomFillSync); // node:crypto is loaded anyway; the global crypto's first use costs ~3 ms
  const spool = options.spool === false ? undefined : options.spool;
  /** The logger's sinks, spooled where asked (remembered for deliveryStatus). */
  let chosen: Sink[] = [];
  const withSpool = (list: readonly Sink[]): Sink[] => (chosen = spool === undefined ? [...list] : spoolNetworkSinks(list, spool));
  if (Array.isArray(options.sinks)) options = { ...options, sinks: withSpool(options.sinks) };
  const logger = createLoggerWith((resolved) => withSpool(nodeDefaultSinks(options, resolved)), options);
  registerSinks(logger, chosen);
  if (options.exit !== false) {
    const unregister = registerExitHooks(logger, options.exit);
    const shutdown = logger.shutdown.bind(logger);
    // A logger that was shut down has nothing left for the process hooks to do.
    logger.shutdown = (flushOptions) => shutdown(flushOptions).finally(unregister);
  }
  return logger;
}
