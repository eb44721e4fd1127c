/**
 * The request lifecycle shared by framework adapters (Hono now; Express, Fastify, … later):
 * open a request logger, emit its wide event once when the request ends, and deliver.
 *
 * A runtime wrapper (e.g. Workers' `withShiplog`) that already opened an invocation binds it
 * to the request object, so an adapter running inside it reuses that logger instead of
 * emitting a second wide event.
 */
import type { Logger, Outcome, RequestLogger } from '../logger.js';
import type { Fields } from '../options.js';
import type { FlushResult } from '../pipeline.js';
import type { RequestLike } from '../request-info.js';
import { DEFAULT_INVOCATION_FLUSH_MS, ScopedLogger } from './scoped-logger.js';

/** One request's logger and how to end it. */
export interface Invocation {
  /** The request logger: correlation ids on every event, `set()` for the wide event. */
  readonly log: RequestLogger;
  /**
   * Emits the wide event (unless already emitted) and delivers by the deadline
   * (`timeoutMs`, default 10 000). Never rejects.
   */
  finish(outcome?: Outcome, timeoutMs?: number): Promise<FlushResult>;
}

/**
 * Opens the lifecycle of one request. A scoped logger (Workers) gives the request its own
 * pipelines, flushed by `finish`; any other logger shares its background pipelines and
 * `finish` flushes them.
 */
export function startInvocation(logger: Logger, req?: RequestLike | null, fields?: Fields): Invocation {
  if (logger instanceof ScopedLogger) return logger.openInvocation(req, fields);
  const log = logger.request(req, fields);
  return {
    log,
    finish(outcome = {}, timeoutMs = DEFAULT_INVOCATION_FLUSH_MS) {
      if (!log.isEmitted) log.emit(outcome);
      return logger.flush({ timeoutMs });
    },
  };
}

const byRequest = new WeakMap<object, Invocation>();

/** Marks `request` as handled by `invocation`, for adapters running inside the wrapper. */
export function bindInvocation(request: object, invocation: Invocation): void {
  byRequest.set(request, invocation);
}

/** The invocation a runtime wrapper opened for `request`, if any. */
export function invocationOf(request: unknown): Invocation | undefined {
  return typeof request === 'object' && request !== null ? byRequest.get(request) : undefined;
}
