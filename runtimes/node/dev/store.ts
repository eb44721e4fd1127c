/**
 * The embedded store of `shiplog dev`: events as NDJSON segment files (shiplog's own line
 * format, readable with `shiplog read`) plus an in-memory index of typed columns. A query scans
 * the index newest first, reads segment bytes in large blocks only when the filter has text or
 * `field=value` terms (a native byte search finds candidate lines before any is parsed), and
 * stops after one page. Memory is bounded: the index holds at most `maxEvents` entries (the
 * oldest segment file is deleted past it) and dedupe remembers the last `dedupeWindow` ids.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Dictionary, IndexColumns, hashId, levelNumber } from './index-columns.js';
import { levelMatches, matchesEvent, needlesOf, routeOf, statusMatches, type EventQuery } from './query.js';
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
const BLOCK_BYTES = 4 * 1024 * 1024;
const MAX_PAGE = 500;

interface Segment {
  id: number;
  fd: number;
  bytes: number;
}

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

/**
 * Reads segment bytes backwards in 4 MB blocks and answers "this line's text, if every needle
 * group has a hit inside it". The hits of a block are found once with Buffer.indexOf, so a
 * rare word costs one native pass over the bytes, not a JSON.parse per line.
 */
class BlockReader {
  private block: Buffer | undefined;
  private blockSegment = -1;
  private blockStart = 0;
  private hits: number[][] = [];

  private readonly buffer = Buffer.allocUnsafe(BLOCK_BYTES);
  private needles: Buffer[][] | undefined;

  constructor(
    private readonly segments: readonly Segment[],
    private readonly wanted: Buffer[][],
  ) {}

  /**
   * Each needle from its rarest byte on (by the byte counts of the first block): Buffer.indexOf
   * hunts for the first byte with memchr, so a needle starting with a common byte (`r` of
   * `req-…`) is several times slower than one starting with a rare byte. The verification parse
   * still checks the whole term.
   */
  private rareSuffixes(sample: Buffer): Buffer[][] {
    const counts = new Uint32Array(256);
    for (let i = 0; i < Math.min(sample.length, 262_144); i++) counts[sample[i] as number] = (counts[sample[i] as number] as number) + 1;
    return this.wanted.map((variants) =>
      variants.map((needle) => {
        let best = 0;
        for (let i = 1; i < needle.length; i++) if ((counts[needle[i] as number] as number) < (counts[needle[best] as number] as number)) best = i;
        return needle.subarray(Math.min(best, Math.max(0, needle.length - 4)));
      }),
    );
  }

  private load(segment: number, offset: number, length: number): boolean {
    const fd = this.segments.find((s) => s.id === segment)?.fd;
    if (fd === undefined) return false;
    const end = offset + length;
    const start = Math.max(0, end - Math.max(BLOCK_BYTES, length));
    const block = end - start <= this.buffer.length ? this.buffer : Buffer.allocUnsafe(end - start);
    const read = readSync(fd, block, 0, end - start, start);
    this.block = block.subarray(0, read);
    this.needles ??= this.rareSuffixes(this.block);
    this.blockSegment = segment;
    this.blockStart = start;
    const bytes = this.block;
    this.hits = this.needles.map((variants) => {
      const positions: number[] = [];
      for (const needle of variants) {
        for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) positions.push(at);
      }
      return positions.sort((a, b) => a - b);
    });
    return true;
  }

  private hasHit(positions: number[], from: number, to: number): boolean {
    // Binary search for the first hit at or after `from`.
    let lo = 0;
    let hi = positions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((positions[mid] as number) < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < positions.length && (positions[lo] as number) < to;
  }

  line(segment: number, offset: number, length: number): string | undefined {
    const inBlock = this.block !== undefined && segment === this.blockSegment && offset >= this.blockStart && offset + length <= this.blockStart + this.block.length;
    if (!inBlock && !this.load(segment, offset, length)) return undefined;
    const from = offset - this.blockStart;
    const to = from + length;
    for (const positions of this.hits) if (!this.hasHit(positions, from, to)) return undefined;
    return (this.block as Buffer).toString('utf8', from, to);
  }

  close(): void {
    this.block = undefined;
  }
}
