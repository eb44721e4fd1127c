import type { Level, LogEvent } from '../event.js';
import type { Sink } from '../pipeline.js';
import { formatPretty } from './pretty.js';

/** The console methods a console sink calls. */
export type ConsoleLike = Pick<Console, 'debug' | 'info' | 'warn' | 'error'>;

/** Options of {@link consoleSink}. */
export interface ConsoleSinkOptions {
  /** `json`: one JSON line per event (for log indexers); `pretty`: a human-readable line. @default 'json' */
  format?: 'json' | 'pretty';
  /** Colors in `pretty` format. @default false */
  colors?: boolean;
  /** Console to write to. @default globalThis.console */
  console?: ConsoleLike;
  /** Sink name in stats. @default 'console' */
  name?: string;
}

const METHOD: Readonly<Record<Level, keyof ConsoleLike>> = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'error',
};

/**
 * Writes each event through the console method of its level (console.error for error and
 * fatal). Writes as soon as events arrive (batch size 1, no timer) and synchronously when the
 * buffer is full, so console output is never dropped for speed.
 */
export function consoleSink(options: ConsoleSinkOptions = {}): Sink {
  const pretty = options.format === 'pretty';
  const colors = options.colors === true;
  const write = (batch: readonly LogEvent[]): void => {
    const out = options.console ?? globalThis.console;
    for (const event of batch) {
      out[METHOD[event.level]](pretty ? formatPretty(event, colors) : event.line);
    }
  };
  return { name: options.name ?? 'console', batch: { size: 1, intervalMs: 0 }, write, writeSync: write };
}
