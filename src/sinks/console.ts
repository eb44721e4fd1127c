import type { LogEvent } from '../event.js';
import { checkOptionKeys, optionKeys } from '../options.js';
import type { Sink } from '../pipeline.js';

/** The console methods a console sink calls. */
export type ConsoleLike = Pick<Console, 'debug' | 'info' | 'warn' | 'error'>;

/** Options of {@link consoleSink}. */
export interface ConsoleSinkOptions {
  /**
   * Turns an event into the printed line; `prettyFormat()` gives a human-readable one for
   * development. @default the event's JSON line (what log indexers such as Workers Logs read)
   */
  format?: (event: LogEvent) => string;
  /** Console to write to. @default globalThis.console */
  console?: ConsoleLike;
  /** Sink name in stats. @default 'console' */
  name?: string;
}

// Pure: a build that never calls consoleSink (the browser's lean one) leaves the option rules out.
const CONSOLE_SINK_KEYS = /* @__PURE__ */ optionKeys<ConsoleSinkOptions>({ format: true, console: true, name: true });

/**
 * Writes each event through the console method of its level (console.debug for trace,
 * console.error for error and fatal). Writes as soon as events arrive (batch size 1, no timer) and synchronously when the
 * buffer is full, so console output is never dropped for speed.
 */
export function consoleSink(options: ConsoleSinkOptions = {}): Sink {
  checkOptionKeys(options, CONSOLE_SINK_KEYS, 'consoleSink');
  return uncheckedConsoleSink(options);
}

/** @internal {@link consoleSink} without its option-key check (which brings the option rules): the browser's lean build. */
export function uncheckedConsoleSink(options: ConsoleSinkOptions = {}): Sink {
  const { format } = options;
  const write = (batch: readonly LogEvent[]): void => {
    const out = options.console ?? globalThis.console;
    for (const event of batch) {
      const { level } = event;
      // console.trace would print a stack trace, and there is no console.fatal.
      out[level === 'trace' ? 'debug' : level === 'fatal' ? 'error' : level](format ? format(event) : event.line);
    }
  };
  return { name: options.name ?? 'console', batch: { size: 1, intervalMs: 0 }, write, writeSync: write };
}
