/**
 * What a pipeline counts, in one place: accepted = delivered + dropped + pending + handedOff
 * whenever nothing is mid-call. Flush results and stats are made from these counters only.
 */
import type { DropReason, FlushResult, SinkStats, WriteReport } from './sink.js';
import { describeError } from './util.js';

/** The counters a flush result is measured from (taken when the flush began). */
export interface CountsMark {
  readonly delivered: number;
  readonly dropped: number;
  readonly unconfirmed: number;
  readonly handedOff: number;
}

/** A pipeline's counters. */
export class DeliveryCounts {
  accepted = 0;
  delivered = 0;
  handedOff = 0;
  dropped = 0;
  readonly droppedByReason: Record<DropReason, number> = {
    overflow: 0,
    rejected: 0,
    'retries-exhausted': 0,
    unconfirmed: 0,
    shutdown: 0,
  };
  retries = 0;
  failures = 0;
  lastError: { message: string; at: number } | undefined;

  countDropped(count: number, reason: DropReason): void {
    this.dropped += count;
    this.droppedByReason[reason] += count;
  }

  /**
   * Counts a batch of `length` events the sink took: delivered, except what its
   * {@link WriteReport} says was handed off unconfirmed. Returns how many at the batch's end the
   * receiver refused: the caller drops those as `rejected`.
   */
  countTaken(length: number, report: unknown): number {
    const { rejected, handedOff } = reportedIn(report, length);
    this.handedOff += handedOff;
    this.delivered += length - rejected - handedOff;
    return rejected;
  }

  recordError(error: unknown): void {
    this.lastError = { message: describeError(error), at: Date.now() };
  }

  mark(): CountsMark {
    return { delivered: this.delivered, dropped: this.dropped, unconfirmed: this.droppedByReason.unconfirmed, handedOff: this.handedOff };
  }

  /** What happened since `start`, as a flush result. */
  since(start: CountsMark, pending: number, timedOut: boolean): FlushResult {
    const dropped = this.dropped - start.dropped;
    return {
      ok: !timedOut && dropped === 0,
      delivered: this.delivered - start.delivered,
      dropped,
      unconfirmed: this.droppedByReason.unconfirmed - start.unconfirmed,
      handedOff: this.handedOff - start.handedOff,
      pending,
      timedOut,
    };
  }

  stats(name: string, pending: number, inFlight: number): SinkStats {
    const stats: SinkStats = {
      name,
      accepted: this.accepted,
      delivered: this.delivered,
      handedOff: this.handedOff,
      dropped: this.dropped,
      droppedByReason: { ...this.droppedByReason },
      retries: this.retries,
      failures: this.failures,
      pending,
      inFlight,
    };
    if (this.lastError !== undefined) stats.lastError = { ...this.lastError };
    return stats;
  }
}

/** What a sink's {@link WriteReport} says of a batch of `length`: whole numbers that add up to at most `length`. */
export function reportedIn(report: unknown, length: number): { rejected: number; handedOff: number } {
  if (typeof report !== 'object' || report === null) return { rejected: 0, handedOff: 0 };
  const count = (value: unknown, max: number): number => (typeof value === 'number' && Number.isSafeInteger(value) ? Math.min(Math.max(value, 0), max) : 0);
  const handedOff = count((report as WriteReport).handedOff, length);
  return { handedOff, rejected: count((report as WriteReport).rejected, length - handedOff) };
}

/** An empty flush result: `pending` events, nothing done. */
export function idleResult(pending: number): FlushResult {
  return { ok: pending === 0, delivered: 0, dropped: 0, unconfirmed: 0, handedOff: 0, pending, timedOut: false };
}

/** Adds up flush results (per sink, or a flush and what a shutdown dropped after it). */
export function sumResults(results: readonly FlushResult[]): FlushResult {
  const total = idleResult(0);
  for (const r of results) {
    total.ok &&= r.ok;
    total.delivered += r.delivered;
    total.dropped += r.dropped;
    total.unconfirmed += r.unconfirmed;
    total.handedOff += r.handedOff;
    total.pending += r.pending;
    total.timedOut ||= r.timedOut;
  }
  return total;
}
