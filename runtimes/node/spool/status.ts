/**
 * `deliveryStatus(logger)` and `spoolOf(logger)`: what the Node logger knows about each sink's
 * delivery, joining the pipeline's counters (events in memory) with the spool's (events on disk,
 * dead letters, last success and failure).
 */
import type { Logger, Sink } from './core.js';
import type { DeliveryStatus, SpoolOptions } from './options.js';
import { SpooledSink } from './spooled-sink.js';

/** Sinks of each logger core, in pipeline order (children share their parent's core). */
const sinksByCore = new WeakMap<object, readonly Sink[]>();

/** The core a logger and its children share (a protected field; read here, never changed), else the logger itself. */
const coreOf = (logger: Logger): object => {
  const core = (logger as unknown as { core?: unknown }).core;
  return typeof core === 'object' && core !== null ? core : logger;
};

/** @internal Remembers the sinks the Node `createLogger` gave a logger. */
export function registerSinks(logger: Logger, sinks: readonly Sink[]): void {
  sinksByCore.set(coreOf(logger), sinks);
}

/**
 * Delivery state of every sink of a logger made by the Node `createLogger` (or a child of it):
 * events pending in memory (the pipeline's buffer and in-flight batch) and on disk, dead
 * letters, the last success, failure and error. Sinks without a spool report `no-spool`.
 */
export function deliveryStatus(logger: Logger): DeliveryStatus[] {
  const sinks = sinksByCore.get(coreOf(logger)) ?? [];
  return Object.values(logger.stats().sinks).map((stats, i) => {
    const sink = sinks[i];
    if (sink instanceof SpooledSink) {
      const status = sink.deliveryStatus();
      status.sink = stats.name;
      status.pendingInMemory = stats.pending;
      return status;
    }
    const status: DeliveryStatus = {
      sink: stats.name,
      state: 'no-spool',
      pendingInMemory: stats.pending,
      pendingOnDisk: 0,
      deadLetters: 0,
      deadLetterEvents: 0,
      spooled: 0,
      replayed: 0,
      dropped: { 'spool-full': 0, 'dead-letter': 0, 'disk-error': 0 },
    };
    if (stats.lastError !== undefined) {
      status.lastFailure = stats.lastError.at;
      status.lastError = stats.lastError.message;
    }
    return status;
  });
}

/**
 * The spooled sink of a logger by its name in `stats()` (the first spooled one when no name is
 * given), for its dead-letter API (`deadLetters()`, `retryDeadLetters()`, `clearDeadLetters()`)
 * and `drain()`. Undefined when there is none.
 */
export function spoolOf(logger: Logger, name?: string): SpooledSink | undefined {
  const sinks = sinksByCore.get(coreOf(logger)) ?? [];
  const names = Object.keys(logger.stats().sinks);
  for (let i = 0; i < sinks.length; i++) {
    const sink = sinks[i];
    if (sink instanceof SpooledSink && (name === undefined || names[i] === name)) return sink;
  }
  return undefined;
}

/**
 * Wraps every sink that has no synchronous write (the network sinks: http, OTLP, database,
 * ClickHouse) with a spool, each in its own subdirectory named after its unique name.
 */
export function spoolNetworkSinks(sinks: readonly Sink[], options: SpoolOptions): Sink[] {
  const seen = new Map<string, number>();
  return sinks.map((sink) => {
    const count = (seen.get(sink.name) ?? 0) + 1;
    seen.set(sink.name, count);
    if (sink instanceof SpooledSink || sink.writeSync !== undefined) return sink;
    return new SpooledSink(sink, { ...options, name: count === 1 ? sink.name : `${sink.name}#${count}` });
  });
}
