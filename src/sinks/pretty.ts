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

/**
 * Characters a terminal acts on or that reorder text: C0 controls (newline, ESC of ANSI/OSC
 * sequences, BEL), DEL, C1 controls (a lone 0x9B is a CSI on many terminals), line and paragraph
 * separators, and bidirectional overrides and isolates ("Trojan Source").
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` with every control character written as a visible escape (`\n`, `\x1b`, `\u202e`), so
 * what a client put in a message, key or value cannot forge lines or drive the terminal.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}

function show(value: unknown): string {
  const text = typeof value === 'string' && value !== '' && !/[\s"=]/.test(value) ? value : JSON.stringify(value) ?? String(value);
  return escapeControl(text); // JSON.stringify leaves C1 controls, U+2028/2029 and bidi overrides as they are
}

/** Options of {@link formatHuman} and {@link prettyFormat}. */
export interface PrettyFormatOptions {
  /**
   * ANSI colours by level (dimmed time and keys). `'auto'`: only when the output is a terminal
   * (see {@link shouldColor}). @default false
   */
  colors?: boolean | 'auto';
  /** `time`: `12:00:01.234`; `datetime`: `2026-11-21 12:00:01.234`. @default 'time' */
  clock?: 'time' | 'datetime';
}

/** A stream as far as colour detection cares (Node's `process.stdout`, a tty.WriteStream). */
export interface ColorTarget {
  isTTY?: boolean;
}

/**
 * Whether to colour output written to `stream`: `FORCE_COLOR` set (not `0`/`false`) forces
 * colours, a non-empty `NO_COLOR` (https://no-color.org) turns them off, else only a TTY gets
 * them. `env` defaults to `process.env` where there is one (read at the call, never at import).
 */
export function shouldColor(stream: ColorTarget | undefined, env?: Record<string, string | undefined>): boolean {
  const vars = env ?? (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const force = vars.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (vars.NO_COLOR !== undefined && vars.NO_COLOR !== '') return false;
  return stream?.isTTY === true;
}

/** The value's stack trace when it is a serialized error (`{ name, message, stack }`). */
function stackOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stack = (value as { stack?: unknown }).stack;
  return typeof stack === 'string' && stack.includes('\n') ? stack : undefined;
}

/**
 * The one human format of shiplog (the pretty console format and the CLI's `read`/`tail`):
 * `12:00:01.234 INFO  msg key=value …`, then the stack of each error field as indented lines.
 * Every message, key and value is escaped ({@link escapeControl}): one record is one line plus
 * its stack lines, whatever the record holds. Never throws on any parsed JSON line.
 */
export function formatHuman(record: Record<string, unknown>, options: PrettyFormatOptions = {}): string {
  const colors = options.colors === 'auto' ? shouldColor((globalThis as { process?: { stdout?: ColorTarget } }).process?.stdout) : options.colors === true;
  const paint = (code: string, text: string): string => (colors ? `\u001b[${code}m${text}\u001b[0m` : text);
  const iso = typeof record.time === 'string' ? escapeControl(record.time) : '';
  const time = options.clock === 'datetime' ? iso.replace('T', ' ').replace(/Z$/, '') : iso.slice(11, 23);
  const level = escapeControl(String(record.level ?? ''));
  let out = `${paint('2', time)} ${paint(LEVEL_COLOR[level] ?? '0', level.toUpperCase().padEnd(5))}`;
  if (record.msg !== undefined) out += ` ${escapeControl(String(record.msg))}`;
  let stacks = '';
  for (const [key, value] of Object.entries(record)) {
    if (SHOWN_FIRST.has(key)) continue;
    const stack = stackOf(value);
    if (stack === undefined) {
      out += ` ${paint('2', `${escapeControl(key)}=`)}${show(value)}`;
      continue;
    }
    const { stack: _stack, ...rest } = value as Record<string, unknown>;
    out += ` ${paint('2', `${escapeControl(key)}=`)}${show(rest)}`;
    for (const line of stack.split('\n')) stacks += `\n    ${escapeControl(line.trim())}`;
  }
  return out + stacks;
}

/**
 * A console format for development: `12:00:01.234 INFO  msg key=value …` (see {@link formatHuman}).
 * Use as `consoleSink({ format: prettyFormat({ colors: 'auto' }) })`.
 */
export function prettyFormat(options: PrettyFormatOptions = {}): (event: LogEvent) => string {
  return (event) => {
    try {
      return formatHuman(JSON.parse(event.line) as Record<string, unknown>, options);
    } catch {
      return escapeControl(event.line);
    }
  };
}
