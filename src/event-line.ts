/**
 * The one place an event's JSON line is assembled: `{"level":…,"time":…` + its `eventId` + the logger's head
 * fields (`service`, `env`, `version`) + `"msg"` + the serialized fields. Field values are made
 * safe by the serializer (serialize.ts); user fields named like a key written here are renamed
 * `_name` (RESERVED_KEYS).
 */
import type { Level } from './event.js';
import type { ResolvedOptions } from './options.js';
import type { Serializer } from './serialize.js';

/** Top-level keys shiplog writes itself; user fields with these names are written as `_name`. */
export const RESERVED_KEYS = ['level', 'time', 'msg', 'eventId', 'service', 'env', 'version'] as const;

let lastMs = Number.NaN;
let lastIso = '';

/** ISO-8601 time, computed at most once per millisecond. */
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

let startMs = Number.NaN;
let startLevel = '';
let lastStart = '';

/** `{"level":"info","time":"…"`: the same for every event of a level within a millisecond, so made once. */
function lineStart(level: Level, ms: number): string {
  if (ms !== startMs || level !== startLevel) {
    startMs = ms;
    startLevel = level;
    lastStart = `{"level":"${level}","time":"${isoTime(ms)}"`;
  }
  return lastStart;
}

/** `,"service":…,"env":…,"version":…`: the head fields every event of a logger carries after its time. */
export function lineHead(options: ResolvedOptions, serializer: Serializer): string {
  let head = '';
  for (const key of ['service', 'env', 'version'] as const) {
    const value = options[key];
    if (value !== undefined) head += `,"${key}":${serializer.string(value)}`;
  }
  return head;
}

/**
 * One event's line. `id` is the `,"eventId":…` field or ''; `head` the logger's head fields;
 * `msg` is already JSON (`serializer.message(msg)`) or undefined; `tail` is the serialized fields
 * (`,"k":v…`), bindings included.
 */
export function eventLine(level: Level, time: number, id: string, head: string, msg: string | undefined, tail: string): string {
  return `${lineStart(level, time)}${id}${head}${msg === undefined ? '' : `,"msg":${msg}`}${tail}}`;
}
