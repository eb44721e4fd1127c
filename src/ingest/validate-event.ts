import { isLevel, type Level } from '../event.js';
import type { Fields } from '../options.js';

/** Which client clock readings are believed. */
export interface ClockOptions {
  /** A client time further ahead of the server than this is replaced by server time. @default 300000 (5 min) */
  maxFutureMs?: number;
  /** A client time older than this is replaced by server time (offline events come back days later). @default 604800000 (7 days) */
  maxAgeMs?: number;
}

/** Keys the ingest endpoint writes itself; a client value under one of these names is kept as `_name`. */
export const INGEST_RESERVED_KEYS: readonly string[] = ['source', 'receivedAt', 'clientTime', 'timeAdjusted', 'userAgent', 'clientIp'];

/**
 * Names a client field cannot take as they are: the endpoint's own, and the top-level keys the
 * core logger writes (`level`, `time`, `msg` are the envelope, read separately).
 */
const RESERVED = new Set([...INGEST_RESERVED_KEYS, 'service', 'env', 'version']);

/**
 * Where a client field is kept: a reserved name, with any number of leading underscores, gets
 * one more (`source` → `_source`, `_source` → `__source`), so no two client fields, nor a client
 * field and a server one, ever share a name and no value is lost.
 */
function fieldName(key: string): string {
  return RESERVED.has(key.replace(/^_+/, '')) ? `_${key}` : key;
}
/** Keys read from the client event itself rather than passed through as fields. */
const ENVELOPE = new Set(['level', 'time', 'msg']);

/** One client event after validation. */
export interface ValidEvent {
  level: Level;
  msg: string | undefined;
  /** Client fields, reserved names already moved aside (`_name`, `_` + `_name`, …). */
  fields: Fields;
  /** Client time when believable, else server time. */
  time: number;
  /** The client's time was missing, malformed or out of range and was replaced. */
  timeAdjusted: boolean;
}

/** Largest |epoch ms| a Date can hold; beyond it `toISOString()` throws. */
const MAX_DATE_MS = 8.64e15;


function clientTime(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.length <= 40) return Date.parse(value);
  return Number.NaN;
}

/**
 * Checks one event of a browser batch: a plain object with a known `level`, an optional string
 * `msg` and a `time` (ISO string or epoch ms) that is replaced by `now` when it is not sane.
 * Returns undefined for an event that cannot be logged. Never throws on any JSON value.
 */
export function validateEvent(raw: unknown, now: number, clock: Required<ClockOptions>): ValidEvent | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const record = raw as Record<string, unknown>;
  const level = record.level;
  if (!isLevel(level)) return undefined; // own level names only: not `toString`, `__proto__`
  const msg = record.msg;
  if (msg !== undefined && typeof msg !== 'string') return undefined;
  const time = clientTime(record.time);
  // Within the Date range too: a clock option of Infinity must not let a time through that
  // `toISOString()` cannot write (it would throw mid-batch).
  const sane = Math.abs(time) <= MAX_DATE_MS && time <= now + clock.maxFutureMs && time >= now - clock.maxAgeMs;
  const fields: Fields = {};
  for (const key of Object.keys(record)) {
    if (ENVELOPE.has(key)) continue;
    // defineProperty, so a JSON key named "__proto__" stays a plain field and touches no prototype.
    Object.defineProperty(fields, fieldName(key), {
      value: record[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { level, msg, fields, time: sane ? time : now, timeAdjusted: !sane };
}
