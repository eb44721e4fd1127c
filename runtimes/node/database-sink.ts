import { createHash } from 'node:crypto';
import { classifyError, SinkError, type LogEvent, type RetryOptions, type Sink } from '../../src/index.js';
import { checkOptionKeys, checkSinkOptionKeys, eventIdOf, optionKeys } from '../../src/internal.js';
import { toLogRow, type DatabaseAdapter } from './db/rows.js';

/**
 * The row key of an event id: a name-based UUID (SHA-1 of the id, version 5 bits and variant
 * set as RFC 9562 §5.5 says), so the `uuid` column type stays and the same event, whoever
 * re-sends it (a retry, a durable spool after a restart, another process replaying a file),
 * always maps to the same row.
 */
export function eventUuid(eventId: string): string {
  const hex = createHash('sha1').update(`shiplog:${eventId}`).digest('hex');
  const variant = ((parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A failed INSERT the server answered with an SQL error (a SQLSTATE code outside class 08,
 * connection exceptions) did not commit: its outcome is known, so a batch that keeps failing is
 * dropped as `retries-exhausted`, not `unconfirmed`. Other failures (a lost connection, a
 * timeout) may have committed and are passed on as they are.
 */
function knownOutcome(error: unknown): never {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('08')) {
    throw new SinkError(`database refused the insert (SQLSTATE ${code}): ${String((error as { message?: unknown }).message)}`, { retryable: classifyError(error).retryable, cause: error });
  }
  throw error;
}

/** How events reach the database. */
export interface DeliveryOptions {
  /**
   * `batch`: one multi-row INSERT per `batchSize` events or `flushIntervalMs`, whichever comes
   * first. `immediate`: one INSERT per event as soon as it is logged (lowest latency, highest
   * load). @default 'batch'
   */
  strategy?: 'immediate' | 'batch';
  /** Rows per INSERT with `batch`. @default 100 */
  batchSize?: number;
  /** Longest an event waits for its batch to fill. @default 1000 */
  flushIntervalMs?: number;
  /**
   * Events held while the database is slow or down; beyond it the oldest are dropped (reason
   * `overflow`). Becomes the sink's `maxBufferSize`, which wins over the logger-wide one. @default 10000
   */
  maxQueueSize?: number;
  /** Longest one INSERT may take before it is aborted and retried. @default 10000 */
  flushTimeoutMs?: number;
  /** Retries of a failed INSERT; then the batch is dropped (reason `retries-exhausted`). @default { maxAttempts: 5, initialDelayMs: 500, maxDelayMs: 30000 } */
  retry?: RetryOptions;
}

/** Options of {@link databaseSink}. */
export interface DatabaseSinkOptions {
  /** Where rows go: `pgAdapter`, `postgresAdapter`, `drizzleAdapter` or `prismaAdapter`. */
  adapter: DatabaseAdapter;
  /** Batching, queue bound, timeouts and retries. @default DATABASE_DEFAULTS */
  delivery?: DeliveryOptions;
  /** Sink name in stats. @default 'database' */
  name?: string;
}

/** A database sink; `maxBufferSize` is its queue bound. */
export interface DatabaseSink extends Sink {
  readonly maxBufferSize: number;
}

/** Defaults of {@link DeliveryOptions}. */
export const DATABASE_DEFAULTS = {
  strategy: 'batch',
  batchSize: 100,
  flushIntervalMs: 1000,
  maxQueueSize: 10_000,
  flushTimeoutMs: 10_000,
  retry: { maxAttempts: 5, initialDelayMs: 500, maxDelayMs: 30_000 },
} as const;

const DELIVERY_KEYS = optionKeys<DeliveryOptions>({
  strategy: true, batchSize: true, flushIntervalMs: true, maxQueueSize: true, flushTimeoutMs: true, retry: true,
});

/**
 * Delivers events as rows through a database adapter, on the same pipeline as every sink:
 * batching, one INSERT in flight, retries with backoff, drop-oldest when the queue is full.
 * Each row's key is derived from the event's `eventId` ({@link eventUuid}; a random UUID given
 * once per event when the logger has `eventId: false`), and inserts skip ids already present, so
 * a batch retried after an ambiguous failure (a timeout after the commit) still lands exactly once. Nothing is
 * sticky: when the database comes back, the next batch goes through.
 */
export function databaseSink(options: DatabaseSinkOptions): DatabaseSink {
  const { adapter } = options;
  if (typeof adapter?.insert !== 'function') throw new TypeError('shiplog: databaseSink needs an adapter with insert(rows)');
  checkOptionKeys(options, optionKeys<DatabaseSinkOptions>({ adapter: true, delivery: true, name: true }), 'databaseSink');
  if (options.delivery !== undefined) checkSinkOptionKeys(options.delivery, DELIVERY_KEYS, 'databaseSink delivery');
  const delivery = { ...DATABASE_DEFAULTS, ...options.delivery };
  const ids = new WeakMap<LogEvent, string>();
  const idOf = (event: LogEvent): string => {
    let id = ids.get(event);
    if (id === undefined) {
      const eventId = eventIdOf(event);
      id = eventId === undefined ? crypto.randomUUID() : eventUuid(eventId);
      ids.set(event, id);
    }
    return id;
  };
  return {
    name: options.name ?? 'database',
    batch:
      delivery.strategy === 'immediate'
        ? { size: 1, intervalMs: 0 }
        : { size: delivery.batchSize, maxBytes: 4 * 1024 * 1024, intervalMs: delivery.flushIntervalMs },
    retry: { ...DATABASE_DEFAULTS.retry, ...options.delivery?.retry },
    timeoutMs: delivery.flushTimeoutMs,
    maxBufferSize: delivery.maxQueueSize,
    write: (batch, { signal }) => adapter.insert(batch.map((event) => toLogRow(event, idOf(event))), signal).catch(knownOutcome),
  };
}
