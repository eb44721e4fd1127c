/**
 * One invocation of a logger: a request logger, and the end that emits its wide event once and
 * delivers by a deadline. Whether the invocation gets its own delivery route (Workers) or shares
 * the logger's (everywhere else) is the route's business, not the caller's.
 *
 * A runtime wrapper that already opened an invocation binds it to the request object, so
 * framework middleware running inside it reuses that logger instead of emitting a second wide event.
 */
import { Logger, type Outcome, type RequestLogger } from '../logger.js';
import type { Fields } from '../options.js';
import type { FlushResult } from '../pipeline.js';
import type { RequestLike } from '../request-info.js';
import { swapRemove } from '../util.js';
import { FLUSH_DEADLINES } from './deadlines.js';
import type { DeliveryRoute, InvocationRoute } from './route.js';

/** One request's logger and how to end it. */
export interface Invocation {
  /** The request logger: correlation ids on every event, `set()` for the wide event. */
  readonly log: RequestLogger;
  /** The invocation's own route, when the logger gives each invocation one (Workers). */
  readonly owned: InvocationRoute | undefined;
  /**
   * Emits the wide event (unless already emitted) and delivers by the deadline; a send still in
   * flight then is aborted and its events stay pending for the next invocation. Never rejects.
   */
  finish(outcome?: Outcome, timeoutMs?: number): Promise<FlushResult>;
}

/**
 * Flushes `route` by the deadline; if it passes, aborts the send in flight so that one hung
 * connection cannot outlive the invocation (its events stay pending). Never rejects.
 */
export async function flushByDeadline(route: DeliveryRoute, timeoutMs: number): Promise<FlushResult> {
  try {
    const result = await route.flush({ timeoutMs });
    if (result.timedOut) {
      route.abortInFlight();
      return { ...result, pending: route.pending };
    }
    return result;
  } catch {
    return { ok: false, delivered: 0, dropped: 0, unconfirmed: 0, handedOff: 0, pending: route.pending, timedOut: false };
  }
}

/** Opens the invocation of one request (or trigger) on `logger`. */
export function openInvocation(logger: Logger, req?: RequestLike | null, fields?: Fields): Invocation {
  const core = Logger.coreOf(logger);
  const owned = core.route.openInvocation?.();
  const base = owned === undefined ? logger : new Logger(core.withRoute(owned.route), logger.bindings);
  const log = base.request(req, fields);
  return {
    log,
    owned,
    finish(outcome = {}, timeoutMs = FLUSH_DEADLINES.invocation) {
      if (!log.isEmitted) log.emit(outcome);
      return owned === undefined ? flushByDeadline(core.route, timeoutMs) : owned.end(timeoutMs);
    },
  };
}

interface Binding {
  readonly request: object;
  readonly invocation: Invocation;
}

/**
 * The requests of invocations still running, with their invocations. An array (swap-remove), not
 * a WeakMap: a WeakMap entry per request was a measurable part of a Worker's per-request cost
 * (and weak tables make garbage collection dearer); only running invocations are ever looked up.
 */
const bound: Binding[] = [];

/** Marks `request` as handled by `invocation` while it runs, for adapters running inside the wrapper. */
export function bindInvocation(request: object, invocation: Invocation): void {
  bound.push({ request, invocation });
}

/** Ends what {@link bindInvocation} did (the invocation's handler settled). */
export function unbindInvocation(request: object, invocation: Invocation): void {
  const index = bound.findIndex((entry) => entry.request === request && entry.invocation === invocation);
  if (index >= 0) swapRemove(bound, index);
}

/** The running invocation a runtime wrapper opened for `request`, if any (one of them if the same request runs twice at once). */
export function invocationOf(request: unknown): Invocation | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  for (let i = bound.length - 1; i >= 0; i--) {
    const entry = bound[i] as Binding;
    if (entry.request === request) return entry.invocation;
  }
  return undefined;
}
