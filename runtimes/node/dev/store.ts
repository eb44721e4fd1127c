/**
 * The embedded store of `shiplog dev`: events as NDJSON segment files (shiplog's own line
 * format, readable with `shiplog read`) plus an in-memory index of typed columns. A query scans
 * the index newest first, reads segment bytes in large blocks only when the filter has text or
 * `field=value` terms (a native byte search finds candidate lines before any is parsed), and
 * stops after one page. Memory is bounded: the index holds at most `maxEvents` entries (the
 * oldest segment file is deleted past it) and dedupe remembers the last `dedupeWindow` ids.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Dictionary, IndexColumns, hashId, levelNumber } from './index-columns.js';
import { levelMatches, matchesEvent, needlesOf, routeOf, statusMatches, type EventQuery } from './query.js';
import { BlockReader, type Segment } from './block-reader.js';
import { IdWindow } from './id-window.js';

/** Options of {@link EventStore}. */
export interface EventStoreOptions {
  /** Folder of the segment files (created if missing). */
  dir: string;
  /** Events kept; past it the oldest segment is deleted. @default 2000000 */
  maxEvents?: number;
  /** Bytes per segment file before a new one starts. @default 67108864 (64 MB) */
  segmentBytes?: number;
  /** How many recent event ids dedupe remembers. @default 200000 */
  dedupeWindow?: number;
}

/** One page of a query, newest first. */
export interface QueryPage {
  events: Record<string, unknown>[];
  /** Pass as `before` to get the next (older) page; undefined when the scan reached the oldest event. */
  next?: number;
  /** Events looked at. */
  scanned: number;
  /** The scan stopped at its time budget before the page was full (there may be more). */
  partial: boolean;
}

/** Counters of the store. */
export interface StoreStats {
  events: number;
  inserted: number;
  duplicates: number;
  invalid: number;
  segments: number;
  indexBytes: number;
}

/** Scans stop after this long even when the page is not full; `next` continues. */
const SCAN_BUDGET_MS = 250;
const MAX_PAGE = 500;

function pad(id: number): string {
  return String(id).padStart(8, '0');
}

/** NDJSON segments plus an in-memory index; see the module comment. */
export class EventStore {
  private readonly columns = new IndexColumns();
  private readonly services = new Dictionary(4000);
  private readonly runtimes = new Dictionary(64);
  private readonly routes = new Dictionary(20000);
  private readonly seen: IdWindow;
  private readonly segments: Segment[] = [];
  /** Sequence number of the first indexed event (grows as old segments are deleted). */
  private firstSeq = 0;
  private readonly maxEvents: number;
  private readonly segmentBytes: number;
  private readonly counters = { inserted: 0, duplicates: 0, invalid: 0 };
  private readonly listeners = new Set<(record: Record<string, unknown>, line: string) => void>();

  constructor(private readonly options: EventStoreOptions) {
    this.maxEvents = options.maxEvents ?? 2_000_000;
    this.segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    this.seen = new IdWindow(options.dedupeWindow ?? 200_000);
    mkdirSync(options.dir, { recursive: true });
    this.reload();
  }

  /** Rebuilds the index from the segment files already in the folder (a restart keeps its events). */
  private reload(): void {
    const ids = readdirSync(this.options.dir)
      .flatMap((name) => (/^events-(\d{8})\.ndjson$/.exec(name)?.[1] ?? []))
      .map(Number)
      .sort((a, b) => a - b);
    for (const id of ids) {
      const path = this.pathOf(id);
      const bytes = readFileSync(path);
      const segment: Segment = { id, fd: openSync(path, 'a+'), bytes: bytes.length };
      this.segments.push(segment);
      let start = 0;
      for (let end = bytes.indexOf(10, start); end !== -1; start = end + 1, end = bytes.indexOf(10, start)) {
        try {
          const record = JSON.parse(bytes.toString('utf8', start, end)) as Record<string, unknown>;
          if (typeof record.eventId === 'string') this.seen.add(record.eventId);
          this.index(record, segment.id, start, end - start);
        } catch {
          // a torn last line of a crashed run: skipped
        }
      }
    }
    this.enforceRetention();
  }

  private pathOf(id: number): string {
    return join(this.options.dir, `events-${pad(id)}.ndjson`);
  }

  private index(record: Record<string, unknown>, segment: number, offset: number, length: number): void {
    const time = typeof record.time === 'string' ? Date.parse(record.time) : Number.NaN;
    this.columns.push({
      time: Number.isNaN(time) ? 0 : time,
      level: levelNumber(record.level),
      service: this.services.intern(typeof record.service === 'string' ? record.service : undefined),
      runtime: this.runtimes.intern(typeof record.runtime === 'string' ? record.runtime : undefined),
      route: this.routes.intern(routeOf(record)),
      status: typeof record.status === 'number' && record.status >= 0 && record.status < 65536 ? record.status : 0,
      requestId: hashId(record.requestId),
      traceId: hashId(record.traceId),
      segment,
      offset,
      length,
    });
  }

  private current(): Segment {
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined && last.bytes < this.segmentBytes) return last;
    const id = (last?.id ?? 0) + 1;
    const segment = { id, fd: openSync(this.pathOf(id), 'a+'), bytes: 0 };
    this.segments.push(segment);
    return segment;
  }

  /**
   * Stores events (plain objects), skipping any whose `eventId` was stored already. Returns how
   * many were new. Each call is one write to the segment file.
   */
  insert(records: readonly Record<string, unknown>[]): { stored: number; duplicates: number; invalid: number } {
    const segment = this.current();
    const lines: string[] = [];
    const kept: Record<string, unknown>[] = [];
    let duplicates = 0;
    let invalid = 0;
    for (const record of records) {
      const id = record.eventId;
      if (typeof id === 'string' && id !== '' && this.seen.has(id)) {
        duplicates++;
        continue;
      }
      let line: string;
      try {
        line = JSON.stringify(record);
      } catch {
        invalid++; // too deep to write (stack overflow) or a BigInt: cannot be stored
        continue;
      }
      if (typeof id === 'string' && id !== '') this.seen.add(id);
      lines.push(line);
      kept.push(record);
    }
    if (lines.length > 0) {
      const chunk = Buffer.from(`${lines.join('\n')}\n`);
      writeSync(segment.fd, chunk, 0, chunk.length, null);
      let offset = segment.bytes;
      for (let i = 0; i < lines.length; i++) {
        const length = Buffer.byteLength(lines[i] as string);
        this.index(kept[i] as Record<string, unknown>, segment.id, offset, length);
        offset += length + 1;
      }
      segment.bytes = offset;
      this.enforceRetention();
      for (let i = 0; i < lines.length; i++) for (const listener of this.listeners) listener(kept[i] as Record<string, unknown>, lines[i] as string);
    }
    this.counters.inserted += lines.length;
    this.counters.duplicates += duplicates;
    this.counters.invalid += invalid;
    return { stored: lines.length, duplicates, invalid };
  }

  private enforceRetention(): void {
    while (this.columns.length > this.maxEvents && this.segments.length > 1) {
      const oldest = this.segments.shift() as Segment;
      let count = 0;
      while (count < this.columns.length && this.columns.segment[count] === oldest.id) count++;
      this.columns.dropFront(count);
      this.firstSeq += count;
      closeSync(oldest.fd);
      rmSync(this.pathOf(oldest.id), { force: true });
    }
  }

  /** Calls `listener` with every newly stored event; returns the unsubscribe function. */
  subscribe(listener: (record: Record<string, unknown>, line: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Distinct services, runtimes and routes seen (for the viewer's filter menus). */
  facets(): { services: string[]; runtimes: string[]; routes: string[] } {
    return { services: this.services.values.slice(1), runtimes: this.runtimes.values.slice(1), routes: this.routes.values.slice(1, 501) };
  }

  stats(): StoreStats {
    return { events: this.columns.length, ...this.counters, segments: this.segments.length, indexBytes: this.columns.bytes };
  }

  /** A column filter on a dictionary: the id to match, OTHER (check the line), or -1 (no event can match). */
  private dictionaryFilter(dictionary: Dictionary, value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    return dictionary.find(value) ?? -1;
  }

  /**
   * The newest `limit` events matching `query`, older than sequence `before` when given.
   * Stops at one page, at the oldest event, or at the scan budget (then `partial`).
   */
  query(query: EventQuery, options: { limit?: number; before?: number } = {}): QueryPage {
    const limit = Math.max(1, Math.min(MAX_PAGE, options.limit ?? 100));
    const c = this.columns;
    const service = this.dictionaryFilter(this.services, query.service);
    const runtime = this.dictionaryFilter(this.runtimes, query.runtime);
    const route = this.dictionaryFilter(this.routes, query.route);
    const events: Record<string, unknown>[] = [];
    if (service === -1 || runtime === -1 || route === -1) return { events, scanned: 0, partial: false };
    const needles = needlesOf(query).map((variants) => variants.map((v) => Buffer.from(v)));
    // "Every event of this request / trace": hashed columns, so a rare id costs no file reads.
    const requestHash = hashId(query.fields.find((t) => t.path.length === 1 && t.path[0] === 'requestId')?.value);
    const traceHash = hashId(query.fields.find((t) => t.path.length === 1 && t.path[0] === 'traceId')?.value);
    const reader = new BlockReader(this.segments, needles);
    const levels = new Uint8Array(256);
    for (let n = 0; n < 6; n++) levels[n] = levelMatches(query, ['trace', 'debug', 'info', 'warn', 'error', 'fatal'][n] as string) ? 1 : 0;
    const deadline = performance.now() + SCAN_BUDGET_MS;
    let i = Math.min(c.length, (options.before ?? Infinity) - this.firstSeq) - 1;
    let scanned = 0;
    for (; i >= 0 && events.length < limit; i--) {
      scanned++;
      if ((scanned & 4095) === 0 && performance.now() > deadline) {
        reader.close();
        return { events, next: this.firstSeq + i + 1, scanned, partial: true };
      }
      if (levels[c.level[i] as number] !== 1) continue;
      if (service !== undefined && c.service[i] !== service) continue;
      if (runtime !== undefined && c.runtime[i] !== runtime) continue;
      if (route !== undefined && c.route[i] !== route) continue;
      if (query.status !== undefined && !statusMatches(query, c.status[i] as number)) continue;
      if (requestHash !== 0 && c.requestId[i] !== requestHash) continue;
      if (traceHash !== 0 && c.traceId[i] !== traceHash) continue;
      const time = c.time[i] as number;
      if (query.since !== undefined && time < query.since) continue;
      if (query.until !== undefined && time > query.until) continue;
      const line = reader.line(c.segment[i] as number, c.offset[i] as number, c.size[i] as number);
      if (line === undefined) continue;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (!matchesEvent(query, record, line)) continue;
      record._seq = this.firstSeq + i;
      events.push(record);
    }
    reader.close();
    return { events, next: i >= 0 ? this.firstSeq + i + 1 : undefined, scanned, partial: false };
  }

  /** Closes the segment files. */
  close(): void {
    for (const segment of this.segments) closeSync(segment.fd);
    this.segments.length = 0;
    this.listeners.clear();
  }
}
