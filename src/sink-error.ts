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
  /**
   * True when the batch may have arrived although the send failed (a timeout or a connection
   * lost after the body left): if it is never confirmed, its events are dropped as
   * `unconfirmed`, not `retries-exhausted`. @default false
   */
  outcomeUnknown?: boolean;
  /**
   * Events of the batch, from its start, that the sink did deliver before it failed (a file
   * write cut short by a full disk): the pipeline counts those delivered and retries or drops
   * only the rest. @default 0
   */
  written?: number;
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
  /** The batch may have arrived although the send failed. */
  readonly outcomeUnknown: boolean;
  /** Events of the batch, from its start, delivered before the failure. */
  readonly written: number;

  constructor(message: string, { retryable, retryAfterMs, status, outcomeUnknown, written, cause }: SinkErrorInit) {
    super(message, cause === undefined ? undefined : { cause });
    this.retryable = retryable;
    // The fields exist (as undefined) either way: class fields are defined before this runs.
    this.retryAfterMs = retryAfterMs;
    this.status = status;
    this.outcomeUnknown = outcomeUnknown === true;
    this.written = written ?? 0;
  }
}

/**
 * How many events of a batch of `length` a failed sink says it delivered first (its error's
 * `written`, a whole number from 0 to length); 0 when it says nothing. Never throws.
 */
export function writtenBefore(error: unknown, length: number): number {
  try {
    const written = typeof error === 'object' && error !== null ? (error as { written?: unknown }).written : undefined;
    return typeof written === 'number' && Number.isInteger(written) ? Math.max(0, Math.min(length, written)) : 0;
  } catch {
    return 0;
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
  /** The batch may have arrived (see {@link SinkErrorInit.outcomeUnknown}). */
  outcomeUnknown: boolean;
}

/**
 * Error codes with a known outcome: a connection that was never made (Node, undici), or a
 * file operation the OS refused. Any other network failure may have come after the body left.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_INVALID_URL',
  'EACCES', 'EPERM', 'ENOSPC', 'EDQUOT', 'EROFS', 'EISDIR', 'ENOTDIR', 'ENOENT', 'EMFILE', 'ENFILE', 'EBADF', 'EFBIG',
]);

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/**
 * Whether a failed send may still have delivered its batch: a timeout or abort, a network error
 * other than "never connected", and anything unrecognized. Not: an HTTP answer, a SinkError that
 * does not say so, an encoding failure.
 */
function isOutcomeUnknown(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const e = error as { name?: unknown; cause?: unknown };
  if (e.name === 'SyntaxError') return false;
  const code = codeOf(error) ?? codeOf(e.cause) ?? codeOf((e.cause as { cause?: unknown } | undefined)?.cause);
  return !(typeof code === 'string' && NOT_SENT_CODES.has(code));
}

/**
 * Classifies a thrown value by type, never by message text: a SinkError (also across realms,
 * by its shape) says so itself; a numeric `status`/`statusCode` follows HTTP rules; a
 * SyntaxError (a batch that cannot be encoded) is final; anything else (network TypeError,
 * AbortError/TimeoutError, driver errors) is retryable. Whether the batch may have arrived
 * anyway (`outcomeUnknown`) is told apart the same way.
 */
export function classifyError(error: unknown): ErrorClass {
  try {
    const { retryable, retryAfterMs: delay, outcomeUnknown } = classifyByType(error);
    // A delay that is not a finite number >= 0 could never arm a timer: use the backoff instead.
    return isMilliseconds(delay)
      ? { retryable, retryAfterMs: Math.min(delay, MAX_RETRY_AFTER_MS), outcomeUnknown }
      : { retryable, outcomeUnknown };
  } catch {
    // A failure that cannot even be read (a Proxy, a throwing getter) is taken as transient.
    return { retryable: true, outcomeUnknown: true };
  }
}

function classifyByType(error: unknown): ErrorClass {
  if (error instanceof SinkError) return error;
  if (typeof error === 'object' && error !== null) {
    const e = error as { name?: unknown; retryable?: unknown; retryAfterMs?: unknown; status?: unknown; statusCode?: unknown; outcomeUnknown?: unknown };
    if (e.name === 'SinkError' && typeof e.retryable === 'boolean') {
      const outcomeUnknown = e.outcomeUnknown === true;
      return typeof e.retryAfterMs === 'number'
        ? { retryable: e.retryable, retryAfterMs: e.retryAfterMs, outcomeUnknown }
        : { retryable: e.retryable, outcomeUnknown };
    }
    const status = typeof e.status === 'number' ? e.status : e.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 600) return { retryable: isRetryableStatus(status), outcomeUnknown: false };
    if (e.name === 'SyntaxError') return { retryable: false, outcomeUnknown: false };
  }
  return { retryable: true, outcomeUnknown: isOutcomeUnknown(error) };
}
