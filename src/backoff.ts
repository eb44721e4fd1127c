/** How retry delays grow with each attempt. */
export type BackoffKind = 'exponential' | 'linear' | 'fixed';

/** Retry policy of a pipeline. */
export interface RetryOptions {
  /** Total attempts per batch, the first send included. @default 3 */
  maxAttempts?: number;
  /** Delay growth. @default 'exponential' */
  backoff?: BackoffKind;
  /** Delay before the first retry. @default 1000 */
  initialDelayMs?: number;
  /** Cap on any computed delay. @default 30000 */
  maxDelayMs?: number;
  /** Full jitter: each delay is drawn uniformly from [0, computed delay]. @default true */
  jitter?: boolean;
}

/** Longest `Retry-After` a server can impose, so a hostile header cannot park a batch for days. */
export const MAX_RETRY_AFTER_MS = 300_000;

/**
 * Delay before retry number `retry` (1 = first retry), capped at `maxDelayMs`, with full jitter
 * when enabled. `random` is injectable for tests.
 */
export function backoffDelay(
  retry: number,
  options: Required<RetryOptions>,
  random: () => number = Math.random,
): number {
  const { backoff, initialDelayMs: base, maxDelayMs } = options;
  const raw =
    backoff === 'fixed' ? base : backoff === 'linear' ? base * retry : base * 2 ** (retry - 1);
  const capped = Math.min(raw, maxDelayMs);
  return options.jitter ? Math.floor(random() * capped) : capped;
}

/**
 * Parses a `Retry-After` header: delay-seconds or an HTTP date. Returns milliseconds from
 * `now`, clamped to [0, MAX_RETRY_AFTER_MS], or undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  return Number.isNaN(ms) ? undefined : Math.min(Math.max(0, Math.ceil(ms)), MAX_RETRY_AFTER_MS);
}
