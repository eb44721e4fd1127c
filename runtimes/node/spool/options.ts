/** Options, defaults and status types of a spooled sink. */
import type { LogEvent } from './core.js';

/** Why the spool gave up on events (besides the pipeline's own reasons). */
export type SpoolDropReason = 'spool-full' | 'dead-letter' | 'disk-error';

/** Replay of spooled batches once the sink recovers, and at the next start. */
export interface ReplayOptions {
  /** First delay before probing a sink that failed. @default 1000 */
  initialDelayMs?: number;
  /** Longest delay between probes (exponential backoff with full jitter up to it). @default 60000 */
  maxDelayMs?: number;
  /** Failed sends after which a spooled batch goes to the dead letters (reason `replay-budget`). @default Infinity */
  maxAttempts?: number;
  /** Most events in one replayed request (consecutive spooled batches are sent together). @default 500 */
  batchEvents?: number;
  /** Age (since first spooled) after which a batch that fails again goes to the dead letters. @default 604800000 (7 days) */
  maxAgeMs?: number;
}

/** Options of {@link spooled} (and the Node logger's `spool` option). */
export interface SpoolOptions {
  /** Root directory of the spool; each sink gets its own subdirectory named after it. */
  dir: string;
  /** Most bytes one sink's spool files may take; past it the oldest batches are dropped (reason `spool-full`). @default 268435456 (256 MiB) */
  maxBytes?: number;
  /** Size of one segment file; the cap is enforced a segment at a time. @default min(16 MiB, maxBytes / 8) */
  segmentBytes?: number;
  /** fsync every appended batch (off: survives a process crash, not a power loss). @default true */
  fsync?: boolean;
  /** Longest one send (live or replayed) may take before it is aborted and the batch spooled. @default the sink's timeoutMs, else 30000 */
  sendTimeoutMs?: number;
  /** Replay timing and budget. @default REPLAY_DEFAULTS */
  replay?: ReplayOptions;
  /** Subdirectory of this sink under `dir`. @default the sink's name */
  name?: string;
  /** Told about events the spool gives up on. Errors it throws are ignored. @default undefined */
  onDropped?: (events: readonly LogEvent[], reason: SpoolDropReason, sink: string) => void;
}

/** Defaults of {@link ReplayOptions}. */
export const REPLAY_DEFAULTS = {
  initialDelayMs: 1000,
  maxDelayMs: 60_000,
  maxAttempts: Infinity,
  batchEvents: 500,
  maxAgeMs: 7 * 24 * 3600 * 1000,
} as const satisfies Required<ReplayOptions>;

/** Defaults of {@link SpoolOptions}. */
export const SPOOL_DEFAULTS = {
  maxBytes: 256 * 1024 * 1024,
  maxSegmentBytes: 16 * 1024 * 1024,
  fsync: true,
  sendTimeoutMs: 30_000,
} as const;

/** Delivery state of one sink, from `deliveryStatus()`. Times are epoch ms. */
export interface DeliveryStatus {
  /** The sink's name. */
  sink: string;
  /** `up`: sending live; `down`: failing, batches go to disk and are probed with backoff; `no-spool`: not spooled; `locked`: another live process owns the spool directory (sending without a spool). */
  state: 'up' | 'down' | 'no-spool' | 'locked' | 'closed';
  /** Events in memory: buffered in the pipeline plus in flight. */
  pendingInMemory: number;
  /** Events in the spool on disk, waiting to be replayed. */
  pendingOnDisk: number;
  /** Batches in the dead-letter file. */
  deadLetters: number;
  /** Events in those batches. */
  deadLetterEvents: number;
  /** The latest confirmed delivery (live or replayed). */
  lastSuccess?: number;
  /** The latest failed send. */
  lastFailure?: number;
  /** The latest failure's description. */
  lastError?: string;
  /** Spool counters: events spooled, replayed (delivered from disk), and given up on by reason. */
  spooled: number;
  replayed: number;
  dropped: Record<SpoolDropReason, number>;
  /** The spool directory, when spooled. */
  dir?: string;
  /** Pid owning the spool directory when `state` is `locked`. */
  lockedBy?: number;
}
