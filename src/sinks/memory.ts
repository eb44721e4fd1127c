import type { LogEvent } from '../event.js';
import { checkSinkOptionKeys, optionKeys } from '../options.js';
import type { BatchOptions, Sink } from '../pipeline.js';

/** A sink that keeps events in memory, for tests. */
export interface MemorySink extends Sink {
  /** Every delivered event, in order. */
  readonly events: LogEvent[];
  /** Delivered events parsed back into objects. */
  records(): Record<string, unknown>[];
  /** Forgets what was delivered. */
  clear(): void;
}

/** Options of {@link memorySink}. */
export interface MemorySinkOptions {
  /** Batching for this sink. @default { size: 1, intervalMs: 0 } (deliver at once) */
  batch?: BatchOptions;
  /** Sink name in stats. @default 'memory' */
  name?: string;
}

/** Keeps delivered events in memory: `await log.flush()`, then inspect `records()`. */
export function memorySink(options: MemorySinkOptions = {}): MemorySink {
  checkSinkOptionKeys(options, optionKeys<MemorySinkOptions>({ batch: true, name: true }), 'memorySink');
  const events: LogEvent[] = [];
  const write = (batch: readonly LogEvent[]): void => {
    for (const event of batch) events.push(event);
  };
  return {
    name: options.name ?? 'memory',
    batch: options.batch ?? { size: 1, intervalMs: 0 },
    events,
    write,
    writeSync: write,
    records: () => events.map((e) => JSON.parse(e.line) as Record<string, unknown>),
    clear: () => {
      events.length = 0;
    },
  };
}
