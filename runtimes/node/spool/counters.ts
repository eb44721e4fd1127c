/** What a spooled sink counts for `deliveryStatus()`: spooled, replayed, dropped by reason, dead letters, last success and failure. */
import { type LogEvent, describeError } from './core.js';
import type { SpooledBatch } from './batch-record.js';
import type { DeliveryStatus, SpoolDropReason, SpoolOptions } from './options.js';

/** Counters of one spooled sink. */
export class SpoolCounters {
  spooled = 0;
  replayed = 0;
  deadLetters = 0;
  deadLetterEvents = 0;
  readonly dropped: Record<SpoolDropReason, number> = { 'spool-full': 0, 'dead-letter': 0, 'disk-error': 0 };
  lastSuccess: number | undefined;
  lastFailure: number | undefined;
  lastError: string | undefined;

  constructor(
    private readonly sink: string,
    private readonly onDropped: SpoolOptions['onDropped'],
  ) {}

  /** A dead letter appeared (+1) or left (-1). */
  countDeadLetter(letter: SpooledBatch, sign: 1 | -1): void {
    this.deadLetters += sign;
    this.deadLetterEvents += sign * letter.events.length;
  }

  /** Counts events the spool gives up on and tells `onDropped` (whose errors are ignored). */
  drop(events: readonly LogEvent[], reason: SpoolDropReason): void {
    this.dropped[reason] += events.length;
    try {
      this.onDropped?.(events, reason, this.sink);
    } catch {
      // A failing handler must not stop the spool.
    }
  }

  succeeded(): void {
    this.lastSuccess = Date.now();
  }

  failed(error: unknown): void {
    this.lastFailure = Date.now();
    this.lastError = describeError(error);
  }

  /** The status fields these counters know, on top of `base`. */
  status(base: Pick<DeliveryStatus, 'sink' | 'state' | 'pendingInMemory' | 'pendingOnDisk' | 'dir'>): DeliveryStatus {
    const status: DeliveryStatus = {
      ...base,
      deadLetters: this.deadLetters,
      deadLetterEvents: this.deadLetterEvents,
      spooled: this.spooled,
      replayed: this.replayed,
      dropped: { ...this.dropped },
    };
    if (this.lastSuccess !== undefined) status.lastSuccess = this.lastSuccess;
    if (this.lastFailure !== undefined) status.lastFailure = this.lastFailure;
    if (this.lastError !== undefined) status.lastError = this.lastError;
    return status;
  }
}
