/** The contract between a pipeline and its sink: sink interface, options, results, counters and defaults. */
import type { RetryOptions } from './backoff.js';
import type { LogEvent } from './event.js';
import { FLUSH_DEADLINES } from './lifecycle/deadlines.js';

/**
 * Why events were dropped: `overflow` (buffer full), `rejected` (the receiver refused them, or
 * they could not be encoded), `retries-exhausted` (every attempt failed and none can have
 * arrived), `unconfirmed` (no attempt was confirmed but one may have arrived: a timeout or a
 * connection lost after the body left; re-send only to a receiver that dedupes by `eventId`),
 * `shutdown` (still pending, never sent, when the pipeline closed).
 */
export type DropReason = 'overflow' | 'rejected' | 'retries-exhausted' | 'unconfirmed' | 'shutdown';

/** When a batch goes out. */
export interface BatchOptions {
  /** Send when this many events are buffered; also the most a batch holds. @default 50 */
  size?: number;
  /** Send when buffered lines reach this many bytes; also a batch's byte budget. @default 524288 */
  maxBytes?: number;
  /** Send when the oldest buffered event is this old; 0 = no timer (flush only). @default 5000 */
  intervalMs?: number;
}

/** What a sink receives with each batch. */
export interface SinkContext {
  /** Aborted when the send times out or the pipeline shuts down; pass it to fetch. */
  readonly signal: AbortSignal;
  /** 1 for the first send of this batch, 2 for the first retry, … */
  readonly attempt: number;
  /**
   * The same for every attempt of this batch (send it as `Idempotency-Key`): the first event's
   * `eventId` and the batch size, so even a batch re-sent after a restart keeps its key; a
   * random UUID per batch when the logger has `eventId: false`.
   */
  readonly idempotencyKey: string;
}

/** A destination for events. Each sink gets its own pipeline (buffer, batching, retry). */
export interface Sink {
  /** Name in stats and drop reports; made unique per logger (`http`, `http#2`). */
  readonly name: string;
  /**
   * Delivers one batch. Resolve when delivered; throw (or reject) to fail it. Throw a
   * {@link SinkError} to say whether a retry can help; other errors are classified by type.
   */
  write(batch: readonly LogEvent[], context: SinkContext): void | Promise<void>;
  /**
   * Optional synchronous delivery (files, console). When present, a full buffer is written
   * through it instead of dropping the oldest event, and `flushSync()` can drain at process exit.
   * (`| undefined`: a wrapper may have it or not, also under `exactOptionalPropertyTypes`.)
   */
  writeSync?: ((batch: readonly LogEvent[]) => void) | undefined;
  /** Batching this sink prefers; wins over the logger-wide `batch` option. */
  readonly batch?: BatchOptions | undefined;
  /** Retry policy this sink prefers; wins over the logger-wide `retry` option. */
  readonly retry?: RetryOptions | undefined;
  /** Events this sink's pipeline buffers; wins over the logger-wide `maxBufferSize`. */
  readonly maxBufferSize?: number | undefined;
  /** Longest one `write` may take before it is aborted and counted as a retryable timeout. */
  readonly timeoutMs?: number | undefined;
  /** Releases resources (file handles, connections) at shutdown. */
  close?: (() => void | Promise<void>) | undefined;
}

/** Called with events that will never be delivered and the reason. Errors it throws are ignored. */
export type OnDropped = (events: readonly LogEvent[], reason: DropReason, sink: string) => void;

/** Options of {@link createPipeline}. */
export interface PipelineOptions {
  /** The destination this pipeline buffers, batches and retries for. */
  sink: Sink;
  /** Name in stats and drop reports. @default sink.name */
  name?: string;
  /** Batching; the sink's own `batch` preferences win. @default { size: 50, maxBytes: 524288, intervalMs: 5000 } */
  batch?: BatchOptions;
  /** Retries; the sink's own `retry` preferences win. @default { maxAttempts: 3, backoff: 'exponential', initialDelayMs: 1000, maxDelayMs: 30000, jitter: true } */
  retry?: RetryOptions;
  /** Events buffered (not in flight) before the oldest is dropped. @default 1000 */
  maxBufferSize?: number;
  /** Longest one send may take. @default 30000 (or the sink's `timeoutMs`) */
  sendTimeoutMs?: number;
  /** Told about every event that will not be delivered. @default undefined (drops are still counted) */
  onDropped?: OnDropped;
  /** Random source for jitter, injectable for tests. @default Math.random */
  random?: () => number;
}

/** Outcome of a flush, counted from the moment it was called. */
export interface FlushResult {
  /** Nothing was dropped and the flush finished before its deadline. */
  ok: boolean;
  /** Events delivered while the flush waited. */
  delivered: number;
  /** Events dropped while the flush waited (see `onDropped` for why). */
  dropped: number;
  /**
   * Of `dropped`, those whose send's outcome is unknown (reason `unconfirmed`): they may have
   * arrived. Safe to re-send only to a receiver that dedupes by `eventId`.
   */
  unconfirmed: number;
  /** Events still buffered or in flight when the flush resolved. */
  pending: number;
  /** The deadline passed before every event accepted before the call was settled. */
  timedOut: boolean;
}

/** Options of `flush`. */
export interface FlushOptions {
  /** Deadline; the flush resolves by then, with `timedOut: true` if work remains. @default 10000 */
  timeoutMs?: number;
}

/** Counters of one sink's pipeline. At every quiescent point accepted = delivered + dropped + pending + handedOff. */
export interface SinkStats {
  /** The pipeline's name (the sink's, with `#2`… for repeats). */
  name: string;
  /** Events pushed into the pipeline. */
  accepted: number;
  /** Events the sink took (a receiver confirmed them, or a synchronous sink wrote them). */
  delivered: number;
  /**
   * Events handed to the browser at page hide (`sendBeacon`, keepalive fetch) without any
   * confirmation: not counted delivered. @default 0
   */
  handedOff: number;
  /** Events given up on, for any reason. */
  dropped: number;
  /** `dropped` by reason. */
  droppedByReason: Record<DropReason, number>;
  /** Retries scheduled (attempts after the first). */
  retries: number;
  /** Failed attempts, final or not. */
  failures: number;
  /** Buffered plus in flight. */
  pending: number;
  /** Events in the batch being sent (or waiting between retries). */
  inFlight: number;
  /** The latest failure: its description and when (ms since epoch). */
  lastError?: { message: string; at: number };
}

/** The flush deadline when none is given. */
export const DEFAULT_FLUSH_TIMEOUT_MS: number = FLUSH_DEADLINES.flush;

/** What a pipeline uses for whatever neither its options nor its sink set. */
export const PIPELINE_DEFAULTS = {
  batch: { size: 50, maxBytes: 524_288, intervalMs: 5000 },
  retry: { maxAttempts: 3, backoff: 'exponential', initialDelayMs: 1000, maxDelayMs: 30_000, jitter: true },
  maxBufferSize: 1000,
  sendTimeoutMs: 30_000,
} as const satisfies { batch: Required<BatchOptions>; retry: Required<RetryOptions>; maxBufferSize: number; sendTimeoutMs: number };
