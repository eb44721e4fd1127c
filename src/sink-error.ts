import { MAX_RETRY_AFTER_MS } from './backoff.js';
import { isMilliseconds } from './util.js';

/** Why a sink failed, in terms the pipeline acts on. */
export interface SinkErrorInit {
  /** True when the same batch may succeed later (network, timeout, 408, 429, 5xx). */
  retryable: boolean;
  /** Delay the receiver asked for (from `Retry-After`), in milliseconds. */
  retryAfterMs?: number;
  /** HTTP status, when there was a response. */
  status?: number;
  /** The underlying failure, kept as the error's `cause`. */
  cause?: unknown;
}

/**
 * The error a sink throws to tell the pipeline whether to retry. Any other thrown value is
 * classified by its type (see {@link classifyError}).
 */
export class SinkError extends Error {
  override readonly name = 'SinkError';
  /** Whether sending the same batch again may succeed. */
  readonly retryable: boolean;
  /** Delay the receiver asked for, in milliseconds. */
  readonly retryAfterMs?: number;
  /** HTTP status, when there was a response. */
  readonly status?: number;

  constructor(message: string, { retryable, retryAfterMs, status, cause }: SinkErrorInit) {
    super(message, cause === undefined ? undefined : { cause });
    this.retryable = retryable;
    // The fields exist (as undefined) either way: class fields are defined before this runs.
    this.retryAfterMs = retryAfterMs;
    this.status = status;
  }
}

/** Whether an HTTP status is worth retrying: 408, 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** What the pipeline does with a failure. */
export interface ErrorClass {
  retryable: boolean;
  retryAfterMs?: number;
}

/**
 * Classifies a thrown value by type, never by message text: a SinkError (also across realms,
 * by its shape) says so itself; a numeric `status`/`statusCode` follows HTTP rules; a
 * SyntaxError (a batch that cannot be encoded) is final; anything else (network TypeError,
 * AbortError/TimeoutError, driver errors) is retryable.
 */
export function classifyError(error: unknown): ErrorClass {
  try {
    const { retryable, retryAfterMs: delay } = classifyByType(error);
    // A delay that is not a finite number >= 0 could never arm a timer: use the backoff instead.
    return isMilliseconds(delay)
      ? { retryable, retryAfterMs: Math.min(delay, MAX_RETRY_AFTER_MS) }
      : { retryable };
  } catch {
    // A failure that cannot even be read (a Proxy, a throwing getter) is taken as transient.
    return { retryable: true };
  }
}

function classifyByType(error: unknown): ErrorClass {
  if (error instanceof SinkError) return error;
  if (typeof error === 'object' && error !== null) {
    const e = error as { name?: unknown; retryable?: unknown; retryAfterMs?: unknown; status?: unknown; statusCode?: unknown };
    if (e.name === 'SinkError' && typeof e.retryable === 'boolean') {
      return typeof e.retryAfterMs === 'number'
        ? { retryable: e.retryable, retryAfterMs: e.retryAfterMs }
        : { retryable: e.retryable };
    }
    const status = typeof e.status === 'number' ? e.status : e.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 600) return { retryable: isRetryableStatus(status) };
    if (e.name === 'SyntaxError') return { retryable: false };
  }
  return { retryable: true };
}
