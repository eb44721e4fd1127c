import type { Level, LogEvent } from '../event.js';

const COLOR: Readonly<Record<Level, string>> = {
  trace: '90',
  debug: '36',
  info: '32',
  warn: '33',
  error: '31',
  fatal: '35',
};

const SHOWN_FIRST = new Set(['level', 'time', 'msg']);

function show(value: unknown): string {
  return typeof value === 'string' && !/[\s"=]/.test(value) ? value : JSON.stringify(value);
}

/** Options of {@link prettyFormat}. */
export interface PrettyFormatOptions {
  /** ANSI colors for the level and keys. @default false */
  colors?: boolean;
}

/**
 * A console format for development: `12:00:01.234 INFO  msg key=value …`.
 * Use as `consoleSink({ format: prettyFormat({ colors: true }) })`.
 */
export function prettyFormat(options: PrettyFormatOptions = {}): (event: LogEvent) => string {
  const colors = options.colors === true;
  return (event) => {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(event.line) as Record<string, unknown>;
    } catch {
      return event.line;
    }
    const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
    const label = event.level.toUpperCase().padEnd(5);
    let out = `${time} ${colors ? `\u001b[${COLOR[event.level]}m${label}\u001b[0m` : label}`;
    if (record.msg !== undefined) out += ` ${String(record.msg)}`;
    for (const [key, value] of Object.entries(record)) {
      if (!SHOWN_FIRST.has(key)) out += ` ${colors ? `\u001b[2m${key}=\u001b[0m` : `${key}=`}${show(value)}`;
    }
    return out;
  };
}
