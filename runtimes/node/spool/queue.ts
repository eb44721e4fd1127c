/**
 * The on-disk queue of one spooled sink: append-only segment files of checksummed records
 * (`seg-<n>.log`), a committed read position (`cursor`), bounded by `maxBytes` (oldest segment
 * dropped first). The caller holds the directory's lock: one process reads and writes a queue.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEvent } from './core.js';
import { decodeBatchRecord, encodeBatchRecord, type SpooledBatch } from './batch-record.js';
import { frameRecord, readRecords, RecordAppender } from './record-file.js';

/** Sizes and durability of a queue. */
export interface QueueLimits {
  /** Most bytes the segment files may take together. */
  maxBytes: number;
  /** A segment is closed and a new one started past this size. */
  segmentBytes: number;
  /** fsync after every append. */
  fsync: boolean;
}

/** Where a pending record is. */
interface Position {
  seq: number;
  offset: number;
  end: number;
  events: number;
}

interface Segment {
  seq: number;
  bytes: number;
}

const SEGMENT = /^seg-(\d{12})\.log$/;
const segmentName = (seq: number): string => `seg-${String(seq).padStart(12, '0')}.log`;

/** Called with events the queue gave up on to stay under its byte cap. */
export type OnSpoolFull = (events: readonly LogEvent[]) => void;

/** The segment files and pending records of one spool directory. */
export class SpoolQueue {
  readonly dir: string;
  readonly #limits: QueueLimits;
  readonly #segments: Segment[] = [];
  readonly #pending: Position[] = [];
  #active: { seq: number; appender: RecordAppender } | undefined;
  #pendingEvents = 0;

  constructor(dir: string, limits: QueueLimits) {
    this.dir = dir;
    this.#limits = limits;
    mkdirSync(dir, { recursive: true });
    const { cursor, segments } = scanQueueDir(dir);
    for (const segment of segments) {
      const path = join(dir, segmentName(segment.seq));
      if (segment.seq < cursor.seq) {
        rmSync(path, { force: true }); // consumed; a crash came between the cursor and the delete
        continue;
      }
      // Cut a torn tail off, so the file is whole records only (and its size is honest).
      if (segment.tornAt !== undefined) truncateSync(path, segment.tornAt);
      for (const position of segment.pending) {
        this.#pending.push(position);
        this.#pendingEvents += position.events;
      }
      this.#segments.push({ seq: segment.seq, bytes: segment.tornAt ?? segment.bytes });
    }
    this.#dropConsumedSegments();
  }

  /** Batches waiting on disk. */
  get pendingBatches(): number {
    return this.#pending.length;
  }

  /** Events waiting on disk. */
  get pendingEvents(): number {
    return this.#pendingEvents;
  }

  /** Bytes the segment files take. */
  get bytes(): number {
    let total = 0;
    for (const segment of this.#segments) total += segment.bytes;
    return total;
  }

  /**
   * Appends a batch durably (fsync). Makes room first by dropping the oldest segments (their
   * pending events go to `onFull`); a batch larger than the whole cap is itself given to
   * `onFull`. Throws, leaving the queue as it was, when the disk refuses the write.
   */
  append(batch: SpooledBatch, onFull: OnSpoolFull): void {
    const record = frameRecord(encodeBatchRecord(batch));
    const { maxBytes, segmentBytes } = this.#limits;
    if (record.length > maxBytes) return onFull(batch.events);
    while (this.bytes + record.length > maxBytes && this.#segments.length > 0) this.#dropOldestSegment(onFull);
    if (this.#active === undefined || this.#active.appender.size + record.length > segmentBytes) this.#rotate();
    const active = this.#active as { seq: number; appender: RecordAppender };
    const offset = active.appender.size;
    active.appender.append(record);
    (this.#segments.at(-1) as Segment).bytes = active.appender.size;
    this.#pending.push({ seq: active.seq, offset, end: active.appender.size, events: batch.events.length });
    this.#pendingEvents += batch.events.length;
  }

  /** The oldest pending batch, or undefined when the queue is empty. */
  head(): { batch: SpooledBatch; position: Position } | undefined {
    return this.headRun(1, Infinity)[0];
  }

  /**
   * The oldest pending batches, in order, as many as fit in `maxEvents` events and `maxBytes`
   * bytes of lines (at least one): replay sends them as one request.
   */
  headRun(maxEvents: number, maxBytes: number): { batch: SpooledBatch; position: Position }[] {
    const run: { batch: SpooledBatch; position: Position }[] = [];
    let events = 0;
    let bytes = 0;
    for (let i = 0; i < this.#pending.length; i++) {
      const position = this.#pending[i] as Position;
      if (run.length > 0 && events + position.events > maxEvents) break;
      const { records } = readRecords(join(this.dir, segmentName(position.seq)), position.offset, 1);
      const batch = records[0] === undefined ? undefined : decodeBatchRecord(records[0].payload);
      if (batch === undefined) {
        if (i === 0) {
          this.#forget(position); // vanished under us (cannot happen while we hold the lock)
          i--;
        }
        if (run.length > 0) break;
        continue;
      }
      const size = position.end - position.offset;
      if (run.length > 0 && bytes + size > maxBytes) break;
      run.push({ batch, position });
      events += position.events;
      bytes += size;
    }
    return run;
  }

  /**
   * Marks the pending batches up to and including `position` as done: the cursor moves past them
   * durably (rename), and a segment that is wholly consumed is deleted. A crash before the rename
   * re-sends these batches once.
   */
  commit(position: Position): void {
    const index = this.#pending.indexOf(position);
    if (index < 0) return; // dropped meanwhile to make room
    for (let i = 0; i <= index; i++) this.#forget(this.#pending[0] as Position);
    const next = this.#pending[0];
    const cursor = next ?? { seq: position.seq, offset: position.end };
    const tmp = join(this.dir, 'cursor.tmp');
    writeFileSync(tmp, `${cursor.seq} ${cursor.offset}\n`);
    renameSync(tmp, join(this.dir, 'cursor'));
    this.#dropConsumedSegments();
  }

  /** Closes the active segment's descriptor. */
  close(): void {
    this.#active?.appender.close();
    this.#active = undefined;
  }

  #forget(position: Position): void {
    this.#pending.shift();
    this.#pendingEvents -= position.events;
  }

  #rotate(): void {
    this.#active?.appender.close();
    const seq = (this.#segments.at(-1)?.seq ?? readCursor(this.dir).seq) + 1;
    this.#active = { seq, appender: new RecordAppender(join(this.dir, segmentName(seq)), this.#limits.fsync) };
    this.#segments.push({ seq, bytes: 0 });
  }

  /** Deletes the oldest segment; the events it still held are reported as dropped. */
  #dropOldestSegment(onFull: OnSpoolFull): void {
    const oldest = this.#segments[0] as Segment;
    if (this.#active?.seq === oldest.seq) {
      this.#active.appender.close();
      this.#active = undefined;
    }
    const dropped: LogEvent[] = [];
    while (this.#pending.length > 0 && (this.#pending[0] as Position).seq === oldest.seq) {
      const head = this.head();
      if (head === undefined || head.position.seq !== oldest.seq) break;
      dropped.push(...head.batch.events);
      this.#forget(head.position);
    }
    this.#segments.shift();
    rmSync(join(this.dir, segmentName(oldest.seq)), { force: true });
    if (dropped.length > 0) onFull(dropped);
  }

  /** Deletes segments that hold no pending record and are not being appended to. */
  #dropConsumedSegments(): void {
    const firstPending = this.#pending[0]?.seq ?? Infinity;
    while (this.#segments.length > 0) {
      const oldest = this.#segments[0] as Segment;
      if (oldest.seq >= firstPending || oldest.seq === this.#active?.seq) break;
      this.#segments.shift();
      try {
        unlinkSync(join(this.dir, segmentName(oldest.seq)));
      } catch {
        // Already gone.
      }
    }
  }


}

/** The committed read position of a queue directory ({0, 0} when nothing was consumed yet). */
function readCursor(dir: string): { seq: number; offset: number } {
  try {
    const [seq, offset] = readFileSync(join(dir, 'cursor'), 'utf8').trim().split(' ').map(Number);
    if (Number.isInteger(seq) && Number.isInteger(offset)) return { seq: seq as number, offset: offset as number };
  } catch {
    // No cursor yet: nothing was consumed.
  }
  return { seq: 0, offset: 0 };
}

/** One segment file as found on disk: its size, its pending records, and where a torn tail starts. */
interface ScannedSegment {
  seq: number;
  bytes: number;
  pending: Position[];
  tornAt?: number;
}

/**
 * Reads a queue directory without changing anything (tools read a spool another process owns
 * this way): the cursor and every segment with its pending records (decoded, so a record that
 * is checksummed but not a batch is skipped, as replay would skip it).
 */
export function scanQueueDir(dir: string): { cursor: { seq: number; offset: number }; segments: ScannedSegment[] } {
  const cursor = readCursor(dir);
  const seqs = readdirSync(dir)
    .map((name) => SEGMENT.exec(name)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const segments: ScannedSegment[] = [];
  for (const seq of seqs) {
    const path = join(dir, segmentName(seq));
    const bytes = statSync(path, { throwIfNoEntry: false })?.size;
    if (bytes === undefined) continue; // deleted meanwhile by its owner
    const segment: ScannedSegment = { seq, bytes, pending: [] };
    segments.push(segment);
    if (seq < cursor.seq) continue;
    const { records, tornAt } = readRecords(path, seq === cursor.seq ? cursor.offset : 0);
    if (tornAt !== undefined) segment.tornAt = tornAt;
    for (const record of records) {
      const batch = decodeBatchRecord(record.payload);
      if (batch !== undefined) segment.pending.push({ seq, offset: record.offset, end: record.end, events: batch.events.length });
    }
  }
  return { cursor, segments };
}
