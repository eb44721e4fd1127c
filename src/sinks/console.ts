import type { LogEvent } from '../event.js';
import { checkOptionKeys, optionKeys } from '../options.js';
import type { Sink } from '../pipeline.js';
import { uncheckedConsoleSink } from './console-write.js';

/** The `process` global where a runtime has one, read only in the development guard below (see options.ts). */
declare const process: { env?: Record<string, string | undefined> } | undefined;

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

/** Every key of {@link ConsoleSinkOptions}, for the development check (pure: production bundles drop it with the check). */
const CONSOLE_SINK_KEYS = /* @__PURE__ */ optionKeys<ConsoleSinkOptions>({ format: true, console: true, name: true });

/**
 * Writes each event through the console method of its level (console.debug for trace,
 * console.error for error and fatal). Writes as soon as events arrive (batch size 1, no timer) and synchronously when the
 * buffer is full, so console output is never dropped for speed.
 */
export function consoleSink(options: ConsoleSinkOptions = {}): Sink {
  // Guarded here as well as inside: a production bundle then drops the reference, and with it the key list.
  if (typeof process === 'object' && process.env?.NODE_ENV !== 'production') checkOptionKeys(options, CONSOLE_SINK_KEYS, 'consoleSink');
  return uncheckedConsoleSink(options);
}
