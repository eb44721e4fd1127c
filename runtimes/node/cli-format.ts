import type { LogRecord } from './read-log-file.js';

const LEVEL_COLOR: Readonly<Record<string, string>> = {
  trace: '90',
  debug: '36',
  info: '32',
  warn: '33',
  error: '31',
  fatal: '35;1',
};

const SHOWN_FIRST = new Set(['level', 'time', 'msg']);

function show(value: unknown): string {
  return typeof value === 'string' && !/[\s"=]/.test(value) && value !== '' ? value : JSON.stringify(value);
}

/**
 * One record as a human line: `2026-11-21 10:20:00.123 WARN  msg key=value …`, with ANSI
 * colors for the level and dimmed keys when `colors` is true.
 */
export function formatHuman(record: LogRecord, colors: boolean): string {
  const paint = (code: string, text: string): string => (colors ? `\u001b[${code}m${text}\u001b[0m` : text);
  const time = record.time.replace('T', ' ').replace(/Z$/, '');
  let out = `${paint('2', time)} ${paint(LEVEL_COLOR[record.level] ?? '0', record.level.toUpperCase().padEnd(5))}`;
  if (record.msg !== undefined) out += ` ${String(record.msg)}`;
  for (const [key, value] of Object.entries(record)) {
    if (!SHOWN_FIRST.has(key)) out += ` ${paint('2', `${key}=`)}${show(value)}`;
  }
  return out;
}
