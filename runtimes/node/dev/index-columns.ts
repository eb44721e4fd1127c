/**
 * The store's in-memory index: one slot per stored event in growable typed arrays (about 35
 * bytes an event), so a filter on level, service, runtime, route, status or time checks numbers,
 * not JSON; requestId and traceId are kept as 32-bit hashes, so "every event of this request"
 * is a scan of numbers too (a hash match is confirmed on the line). Strings go through small
 * dictionaries; a dictionary that is full maps new values to OTHER, and those rows are checked
 * against their line instead.
 */
import { LEVELS } from '../../../src/index.js';

/** Dictionary id of "no value". */
export const NONE = 0;
/** Dictionary id of "a value the full dictionary could not take": check the line. */
export const OTHER = 0xffff;

/** Interns strings to small ids (1…limit); beyond the limit everything is OTHER. */
export class Dictionary {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [''];
  constructor(private readonly limit: number) {}

  /** The id of `value`, adding it while there is room. */
  intern(value: string | undefined): number {
    if (value === undefined || value === '') return NONE;
    const known = this.ids.get(value);
    if (known !== undefined) return known;
    if (this.values.length > this.limit) return OTHER;
    const id = this.values.length;
    this.ids.set(value, id);
    this.values.push(value);
    return id;
  }

  /** The id of `value` if known: undefined when it was never seen (and the dictionary is not full). */
  find(value: string): number | undefined {
    return this.ids.get(value) ?? (this.values.length > this.limit ? OTHER : undefined);
  }
}

/** FNV-1a hash of a string; 0 means "none", so a real 0 becomes 1. */
export function hashId(raw: unknown): number {
  const value = typeof raw === 'number' ? String(raw) : raw; // `requestId=7` matches a numeric id too
  if (typeof value !== 'string' || value === '') return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 0x01000193);
  return hash >>> 0 || 1;
}

/** One event's index entry. */
export interface IndexEntry {
  time: number;
  level: number;
  service: number;
  runtime: number;
  route: number;
  status: number;
  requestId: number;
  traceId: number;
  segment: number;
  offset: number;
  length: number;
}

/** Level name to a number (trace 0 … fatal 5); unknown levels are 255. */
export function levelNumber(level: unknown): number {
  const n = LEVELS.indexOf(level as (typeof LEVELS)[number]);
  return n < 0 ? 255 : n;
}

/** Columns of typed arrays, appended at the end and cut from the front. */
export class IndexColumns {
  length = 0;
  time = new Float64Array(1024);
  level = new Uint8Array(1024);
  service = new Uint16Array(1024);
  runtime = new Uint16Array(1024);
  route = new Uint16Array(1024);
  status = new Uint16Array(1024);
  requestId = new Uint32Array(1024);
  traceId = new Uint32Array(1024);
  segment = new Uint32Array(1024);
  offset = new Uint32Array(1024);
  size = new Uint32Array(1024);

  private grow(): void {
    const capacity = this.time.length * 2;
    const copy = <T extends Float64Array | Uint8Array | Uint16Array | Uint32Array>(array: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(array);
      return next;
    };
    this.time = copy(this.time, (n) => new Float64Array(n));
    this.level = copy(this.level, (n) => new Uint8Array(n));
    this.service = copy(this.service, (n) => new Uint16Array(n));
    this.runtime = copy(this.runtime, (n) => new Uint16Array(n));
    this.route = copy(this.route, (n) => new Uint16Array(n));
    this.status = copy(this.status, (n) => new Uint16Array(n));
    this.requestId = copy(this.requestId, (n) => new Uint32Array(n));
    this.traceId = copy(this.traceId, (n) => new Uint32Array(n));
    this.segment = copy(this.segment, (n) => new Uint32Array(n));
    this.offset = copy(this.offset, (n) => new Uint32Array(n));
    this.size = copy(this.size, (n) => new Uint32Array(n));
  }

  push(entry: IndexEntry): void {
    if (this.length === this.time.length) this.grow();
    const i = this.length++;
    this.time[i] = entry.time;
    this.level[i] = entry.level;
    this.service[i] = entry.service;
    this.runtime[i] = entry.runtime;
    this.route[i] = entry.route;
    this.status[i] = entry.status;
    this.requestId[i] = entry.requestId;
    this.traceId[i] = entry.traceId;
    this.segment[i] = entry.segment;
    this.offset[i] = entry.offset;
    this.size[i] = entry.length;
  }

  /** Drops the first `count` entries (a deleted segment). */
  dropFront(count: number): void {
    for (const array of [this.time, this.level, this.service, this.runtime, this.route, this.status, this.requestId, this.traceId, this.segment, this.offset, this.size]) {
      array.copyWithin(0, count, this.length);
    }
    this.length -= count;
  }

  /** Bytes the columns hold (for stats). */
  get bytes(): number {
    return this.time.length * (8 + 1 + 2 + 2 + 2 + 2 + 4 + 4 + 4 + 4 + 4);
  }
}
