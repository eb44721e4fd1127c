import type { LogEvent } from '../event.js';
import type { Sink } from '../sink.js';
import type { ConsoleSinkOptions } from './console.js';

/**
 * @internal {@link consoleSink} without its option-key check: this file imports no option rules,
 * so the browser's lean build (src/lean) can use the console sink without them.
 */
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
