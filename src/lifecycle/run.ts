/**
 * The one request/invocation lifecycle every wrapper declares itself over (Workers, Vercel Edge,
 * Next.js, Lambda, Hono, Express, Fastify, node:http): open the wide event, run the handler,
 * record status / error / duration, emit once, then flush by a deadline — handed to the
 * platform's `waitUntil` or awaited before the handler's promise settles — aborting a send still
 * in flight at the deadline so a hung connection never stalls the next invocation.
 */
import type { Logger, Outcome, RequestLogger } from '../logger.js';
import type { Fields } from '../options.js';
import type { FlushResult } from '../pipeline.js';
import type { RequestLike } from '../request-info.js';
import type { WaitUntil } from '../wait-until.js';
import { bindInvocation, openInvocation, unbindInvocation, type Invocation } from './invocation.js';

/** What a wrapper declares about one kind of handler. */
export interface LifecycleDeclaration<R> {
  /** The logger the invocation belongs to. */
  logger: Logger;
  /** The request (method, path, correlation ids), or null for non-HTTP triggers. */
  request?: RequestLike | null;
  /** Extra fields of the request logger (trigger facts: cron, queue, cf-ray…). */
  fields?: Fields;
  /** Bind the invocation to this object (the Request) so framework middleware inside reuses it. */
  bindTo?: object | undefined;
  /** Runs the handler with the invocation's logger. */
  run(log: RequestLogger, invocation: Invocation): R | Promise<R>;
  /** The wide event's outcome; a throw here is contained (the error alone is recorded). */
  outcome(result: R | undefined, error: unknown, failed: boolean, log: RequestLogger): Outcome;
  /** The flush deadline, read when the handler settled (Lambda cuts it to the remaining time). */
  flushTimeoutMs: number | (() => number);
  /**
   * Keeps the flush alive after the response (`ctx.waitUntil`, Next's `after`). Undefined, or one
   * that refuses, means the flush is awaited before the handler's promise settles.
   */
  waitUntil?: WaitUntil | undefined;
  /** Told every invocation's flush result. A throw here is contained (and told to `onInternalError`). */
  onFlush?(result: FlushResult, log: RequestLogger): void;
  /** Told an internal failure at the end of the invocation (never the handler's own error). */
  onInternalError?(error: unknown): void;
}

/** Gives `work` to `waitUntil`; false when there is none or it refused (outside a request). */
function handOff(waitUntil: WaitUntil | undefined, work: Promise<unknown>): boolean {
  if (waitUntil === undefined) return false;
  try {
    waitUntil(work);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs one invocation as declared. The handler's result or error is passed through unchanged;
 * the flush never rejects, so it can replace neither.
 */
export async function runLifecycle<R>(declaration: LifecycleDeclaration<R>): Promise<R> {
  const invocation = openInvocation(declaration.logger, declaration.request, declaration.fields);
  if (declaration.bindTo !== undefined) bindInvocation(declaration.bindTo, invocation);
  const { log } = invocation;
  let result: R | undefined;
  let failed = false;
  let error: unknown;
  try {
    result = await declaration.run(log, invocation);
    return result;
  } catch (thrown) {
    failed = true;
    error = thrown;
    throw thrown;
  } finally {
    if (declaration.bindTo !== undefined) unbindInvocation(declaration.bindTo, invocation);
    // Awaited only when the flush could not be handed to waitUntil.
    const flushing = endLifecycle(declaration, invocation, result, error, failed);
    if (flushing !== undefined) await flushing;
  }
}

/** Emits the wide event and starts the flush; returns it when it must be awaited (no waitUntil). Never throws. */
function endLifecycle<R>(declaration: LifecycleDeclaration<R>, invocation: Invocation, result: R | undefined, error: unknown, failed: boolean): Promise<void> | undefined {
  const { log } = invocation;
  try {
    let outcome: Outcome;
    try {
      outcome = declaration.outcome(result, error, failed, log);
    } catch {
      outcome = failed ? { error } : {};
    }
    const { flushTimeoutMs, onFlush } = declaration;
    const timeoutMs = typeof flushTimeoutMs === 'function' ? flushTimeoutMs() : flushTimeoutMs;
    const finished = invocation.finish(outcome, timeoutMs);
    const flushing =
      onFlush === undefined
        ? finished
        : finished.then((flushed) => {
            try {
              onFlush.call(declaration, flushed, log);
            } catch (hookError) {
              // A failing report hook must not turn a delivered request into a failed one; say so where asked.
              report(declaration, hookError);
            }
            return flushed;
          });
    if (handOff(declaration.waitUntil, flushing)) return undefined;
    return flushing.then(
      () => undefined,
      (internal: unknown) => report(declaration, internal),
    );
  } catch (internal) {
    report(declaration, internal);
    return undefined;
  }
}

function report(declaration: LifecycleDeclaration<unknown>, error: unknown): void {
  try {
    declaration.onInternalError?.(error);
  } catch {
    // Nothing left to tell.
  }
}
