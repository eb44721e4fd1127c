/**
 * The viewer's filter language, parsed once and then checked against events. A query is
 * columns (level, service, runtime, route, status, time range) plus terms: `field=value`
 * (dotted paths reach nested fields: `user.id=42`) and free text (a case-sensitive substring of
 * the event's JSON line, like grep). All parts must match.
 */
import { LEVELS, isLevel, type Level } from '../../../src/index.js';

/** One `field=value` term. */
export interface FieldTerm {
  path: readonly string[];
  value: string;
}

/** A parsed filter. Empty arrays / undefined mean "any". */
export interface EventQuery {
  /** Lowest level shown. */
  minLevel?: Level;
  /** Exact levels (from `level=error`), when given. */
  levels: Level[];
  service?: string;
  runtime?: string;
  route?: string;
  /** An exact status (404) or a class (400 means 400–499 when `statusClass`). */
  status?: number;
  statusClass?: boolean;
  /** Epoch ms bounds, inclusive. */
  since?: number;
  until?: number;
  fields: FieldTerm[];
  text: string[];
}

/** Column fields every event has a slot for in the store's index. */
export const COLUMN_FIELDS = ['level', 'service', 'runtime', 'route', 'status'] as const;

const MAX_TERMS = 16;
const MAX_TERM_LENGTH = 256;

/** Splits on spaces, keeping `"quoted phrases"` together. */
function tokens(text: string): string[] {
  const out: string[] = [];
  const pattern = /"([^"]*)"|(\S+)/g;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const token = match[1] ?? match[2];
    if (token !== undefined && token !== '') out.push(token.slice(0, MAX_TERM_LENGTH));
    if (out.length >= MAX_TERMS) break;
  }
  return out;
}

/** Reads a time bound: epoch ms, an ISO date, or a duration ago (`15m`, `2h`, `1d`). */
export function parseTimeBound(value: string, now: number): number | undefined {
  const ago = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(value.trim());
  if (ago !== null) return now - Number(ago[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as 's' | 'm' | 'h' | 'd'];
  if (/^\d+$/.test(value)) return Number(value);
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Which URL search parameters of `/api/events` and `/api/stream` make a query. */
export function parseQuery(params: URLSearchParams, now = Date.now()): EventQuery {
  const query: EventQuery = { levels: [], fields: [], text: [] };
  const level = params.get('level')?.toLowerCase();
  if (level !== undefined && isLevel(level)) query.minLevel = level;
  for (const key of ['service', 'runtime', 'route'] as const) {
    const value = params.get(key);
    if (value !== null && value !== '') query[key] = value.slice(0, MAX_TERM_LENGTH);
  }
  const status = params.get('status');
  if (status !== null && /^[1-5](\d\d|xx)$/.test(status)) {
    query.statusClass = status.endsWith('xx');
    query.status = query.statusClass ? Number(status[0]) * 100 : Number(status);
  }
  for (const key of ['since', 'until'] as const) {
    const value = params.get(key);
    if (value !== null && value !== '') query[key] = parseTimeBound(value, now);
  }
  for (const token of tokens(params.get('q') ?? '')) {
    const eq = token.indexOf('=');
    if (eq > 0) {
      const path = token.slice(0, eq).split('.');
      const value = token.slice(eq + 1);
      if (path.length === 1 && path[0] === 'level' && isLevel(value)) query.levels.push(value);
      else query.fields.push({ path, value });
    } else {
      query.text.push(token);
    }
  }
  return query;
}

/** The event's route: its `route` if it has one, else its `path`. */
export function routeOf(record: Record<string, unknown>): string | undefined {
  const route = record.route ?? record.path;
  return typeof route === 'string' ? route : undefined;
}

function valueAt(record: unknown, path: readonly string[]): unknown {
  let current = record;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** `value` as typed matches a string, number or boolean field by its text. */
function sameValue(actual: unknown, expected: string): boolean {
  if (typeof actual === 'string') return actual === expected;
  if (typeof actual === 'number' || typeof actual === 'boolean') return String(actual) === expected;
  if (actual === null) return expected === 'null';
  return false;
}

/** True when a level passes the query's level filters. */
export function levelMatches(query: EventQuery, level: string): boolean {
  if (query.minLevel !== undefined && LEVELS.indexOf(level as Level) < LEVELS.indexOf(query.minLevel)) return false;
  return query.levels.length === 0 || query.levels.includes(level as Level);
}

/** True when a status passes the query's status filter. */
export function statusMatches(query: EventQuery, status: number): boolean {
  if (query.status === undefined) return true;
  return query.statusClass === true ? status >= query.status && status < query.status + 100 : status === query.status;
}

/** The whole check, on a parsed event and its stored line. */
export function matchesEvent(query: EventQuery, record: Record<string, unknown>, line: string): boolean {
  if (!levelMatches(query, String(record.level))) return false;
  if (query.service !== undefined && record.service !== query.service) return false;
  if (query.runtime !== undefined && record.runtime !== query.runtime) return false;
  if (query.route !== undefined && routeOf(record) !== query.route) return false;
  if (query.status !== undefined && !(typeof record.status === 'number' && statusMatches(query, record.status))) return false;
  const time = typeof record.time === 'string' ? Date.parse(record.time) : Number.NaN;
  if (query.since !== undefined && !(time >= query.since)) return false;
  if (query.until !== undefined && !(time <= query.until)) return false;
  for (const term of query.fields) if (!sameValue(valueAt(record, term.path), term.value)) return false;
  // Searched as it is written inside the JSON line (quotes escaped), like the byte scan.
  for (const text of query.text) if (!line.includes(JSON.stringify(text).slice(1, -1))) return false;
  return true;
}

/**
 * Byte strings one of which must appear in a matching line, per term, for a fast native scan of
 * raw segment bytes before any line is parsed. A field term looks for its value alone: a needle
 * that starts with a key every line has (`"requestId":"`) makes Buffer.indexOf crawl, while the
 * value is rare; the parse that follows checks the key.
 */
export function needlesOf(query: EventQuery): string[][] {
  const out: string[][] = query.text.map((text) => [JSON.stringify(text).slice(1, -1)]);
  for (const term of query.fields) out.push([JSON.stringify(term.value).slice(1, -1)]);
  return out.filter((variants) => variants.every((v) => v !== ''));
}
