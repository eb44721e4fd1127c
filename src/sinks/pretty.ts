import type { LogEvent } from '../event.js';

const LEVEL_COLOR: Readonly<Record<string, string>> = {
  trace: '90',
  debug: '36',
  info: '32',
  warn: '33',
  error: '31',
  fatal: '35;1',
};

/** Written first, or (the event id, there for machines) not at all. */
const SHOWN_FIRST = new Set(['level', 'time', 'msg', 'eventId']);

function show(value: unknown): string {
  return typeof value === 'string' && value !== '' && !/[\s"=]/.test(value) ? value : JSON.stringify(value);
}

/** Options of {@link prettyFormat} and {@link formatHuman}. */
export interface PrettyFormatOptions {
  /** ANSI colors for the level, dimmed time and keys. @default false */
  colors?: boolean;
  /** `time`: `12:00:01.234`; `datetime`: `2026-11-21 12:00:01.234`. @default 'time' */
  clock?: 'time' | 'datetime';
}

/**
 * One parsed event as a human line: `12:00:01.234 INFO  msg key=value …` (shared by the
 * pretty console format and the `shiplog read` CLI).
 */
export function formatHuman(record: Record<string, unknown>, options: PrettyFormatOptions = {}): string {
  const paint = (code: string, text: string): string => (options.colors === true ? `\u001b[${code}m${text}\u001b[0m` : text);
  const iso = typeof record.time === 'string' ? record.time : '';
  const time = options.clock === 'datetime' ? iso.replace('T', ' ').replace(/Z$/, '') : iso.slice(11, 23);
  const level = String(record.level ?? '');
  let out = `${paint('2', time)} ${paint(LEVEL_COLOR[level] ?? '0', level.toUpperCase().padEnd(5))}`;
  if (record.msg !== undefined) out += ` ${String(record.msg)}`;
  for (const [key, value] of Object.entries(record)) {
    if (!SHOWN_FIRST.has(key)) out += ` ${paint('2', `${key}=`)}${show(value)}`;
  }
  return out;
}

/**
 * A console format for development: `12:00:01.234 INFO  msg key=value …`.
 * Use as `consoleSink({ format: prettyFormat({ colors: true }) })`.
 */
export function prettyFormat(options: PrettyFormatOptions = {}): (event: LogEvent) => string {
  return (event) => {
    try {
      return formatHuman(JSON.parse(event.line) as Record<string, unknown>, options);
    } catch {
      return event.line;
    }
  };
}
