/**
 * `withShiplog(options, handler)`: wraps a module Worker's fetch, scheduled and queue handlers.
 * Each invocation gets a request logger (4th handler argument, and `getLogger()` with
 * AsyncLocalStorage), its wide event is emitted when the handler settles, and its events are
 * delivered from that invocation's `ctx.waitUntil`, by a deadline, after the response.
 */
import { bindInvocation } from '../../src/adapters/lifecycle.js';
import { DEFAULT_INVOCATION_FLUSH_MS, ScopedLogger, type ScopedInvocation, type Scope } from '../../src/adapters/scoped-logger.js';
import type { Outcome, RequestLogger } from '../../src/logger.js';
import type { Fields } from '../../src/options.js';
import { invocationStorage } from './context.js';
import { createLogger, type WorkersLoggerOptions } from './create-logger.js';
import { trackBatch, type MessageBatchLike } from './queue.js';

/** The Workers `ExecutionContext` (shape compatible with @cloudflare/workers-types and Hono). */
export interface WorkersExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
  readonly props: unknown;
}

/** The part of the Workers `ScheduledController` shiplog uses. */
export interface ScheduledControllerLike {
  readonly cron: string;
  readonly scheduledTime: number;
}

/** A module Worker whose handlers also receive their invocation's logger. */
export interface ShiplogHandler<Env = unknown, QueueBody = unknown> {
  fetch?(request: Request, env: Env, ctx: WorkersExecutionContext, log: RequestLogger): Response | Promise<Response>;
  scheduled?(controller: ScheduledControllerLike, env: Env, ctx: WorkersExecutionContext, log: RequestLogger): void | Promise<void>;
  queue?(batch: MessageBatchLike<QueueBody>, env: Env, ctx: WorkersExecutionContext, log: RequestLogger): void | Promise<void>;
}

/** The wrapped Worker: the same handlers, in the shape workerd calls. */
export interface WrappedHandler<Env = unknown, QueueBody = unknown> {
  fetch?(request: Request, env: Env, ctx: WorkersExecutionContext): Promise<Response>;
  scheduled?(controller: ScheduledControllerLike, env: Env, ctx: WorkersExecutionContext): Promise<void>;
  queue?(batch: MessageBatchLike<QueueBody>, env: Env, ctx: WorkersExecutionContext): Promise<void>;
}

/** Options, a function of the Worker `env` returning them, or a logger from `createLogger`. */
export type WithShiplogOptions<Env> = WorkersLoggerOptions | ((env: Env) => WorkersLoggerOptions) | ScopedLogger;

interface CfProperties {
  colo?: unknown;
  country?: unknown;
}

/** cf-ray, colo and country of a request, for its wide event. */
function edgeFields(request: Request): Fields {
  const fields: Fields = {};
  const ray = request.headers.get('cf-ray');
  if (ray !== null) fields.cfRay = ray;
  const cf = (request as { cf?: CfProperties }).cf;
  if (typeof cf?.colo === 'string') fields.colo = cf.colo;
  if (typeof cf?.country === 'string') fields.country = cf.country;
  return fields;
}

/**
 * The wide event's outcome of a fetch handler that returned. workerd answers a result that is
 * not a Response (`null`, a plain object) with a 500 ("did not resolve to 'Response'"), so the
 * wide event says so instead of claiming a success without status.
 */
function fetchOutcome(response: unknown): Outcome {
  const status = (response as { status?: unknown } | null | undefined)?.status;
  if (typeof status === 'number') return { status };
  const got = response === null ? 'null' : typeof response === 'object' ? 'an object without a numeric status' : typeof response;
  return { status: 500, error: new TypeError(`shiplog: the fetch handler returned ${got}, not a Response; workerd answers 500`) };
}

/**
 * Wraps a module Worker (a plain object or a Hono app). Options are read at the first
 * invocation, with the Worker `env` as the source of `SHIPLOG_*` overrides.
 */
export function withShiplog<Env = unknown, QueueBody = unknown>(
  options: WithShiplogOptions<Env>,
  handler: ShiplogHandler<Env, QueueBody>,
): WrappedHandler<Env, QueueBody> {
  let root: ScopedLogger | undefined;
  let flushTimeoutMs = DEFAULT_INVOCATION_FLUSH_MS;

  const setup = (env: Env): ScopedLogger => {
    if (root !== undefined) return root;
    let explicit: WorkersLoggerOptions | undefined;
    if (options instanceof ScopedLogger) root = options;
    else {
      explicit = typeof options === 'function' ? options(env) : options;
      root = createLogger({ vars: (env ?? {}) as Record<string, unknown>, ...explicit });
      flushTimeoutMs = explicit?.flushTimeoutMs ?? flushTimeoutMs;
    }
    const storage = invocationStorage(explicit?.asyncLocalStorage);
    if (storage !== null) root.setCurrent(() => storage.getStore()?.scope);
    return root;
  };

  /** Runs one invocation: the handler inside the logger's context, then emit and hand off the flush. */
  async function run<R>(
    invocation: ScopedInvocation & { scope: Scope },
    ctx: WorkersExecutionContext,
    call: () => R | Promise<R>,
    outcomeOf: (result: R | undefined, error: unknown, failed: boolean) => Outcome,
  ): Promise<R> {
    let result: R | undefined;
    let failed = false;
    let thrown: unknown;
    try {
      const storage = invocationStorage();
      result = await (storage === null ? call() : storage.run({ log: invocation.log, scope: invocation.scope }, call));
      return result;
    } catch (error) {
      failed = true;
      thrown = error;
      throw error;
    } finally {
      let outcome: Outcome = {};
      try {
        outcome = outcomeOf(result, thrown, failed);
      } catch {
        outcome = failed ? { error: thrown } : {};
      }
      const delivering = invocation.finish(outcome, flushTimeoutMs);
      try {
        ctx.waitUntil(delivering);
      } catch {
        // No usable ctx (a direct call in a test): the flush still runs, unowned.
      }
    }
  }

  const wrapped: WrappedHandler<Env, QueueBody> = {};
  const { fetch, scheduled, queue } = handler;
  if (typeof fetch === 'function') {
    wrapped.fetch = (request, env, ctx) => {
      const invocation = setup(env).openInvocation(request, edgeFields(request));
      bindInvocation(request, invocation);
      return run(
        invocation,
        ctx,
        () => fetch.call(handler, request, env, ctx, invocation.log),
        (response, error, failed) => (failed ? { status: 500, error } : fetchOutcome(response)),
      );
    };
  }
  if (typeof scheduled === 'function') {
    wrapped.scheduled = (controller, env, ctx) => {
      const { cron, scheduledTime } = controller;
      const time = new Date(scheduledTime);
      const fields = { trigger: 'scheduled', cron, scheduledTime: Number.isNaN(time.getTime()) ? scheduledTime : time.toISOString() };
      const invocation = setup(env).openInvocation(null, fields);
      const message = `scheduled ${cron}`;
      return run(
        invocation,
        ctx,
        () => scheduled.call(handler, controller, env, ctx, invocation.log),
        (_, error, failed) => (failed ? { error, message } : { message }),
      );
    };
  }
  if (typeof queue === 'function') {
    wrapped.queue = (batch, env, ctx) => {
      const tracked = trackBatch(batch);
      const fields = { trigger: 'queue', queue: batch.queue, batchSize: batch.messages.length };
      const invocation = setup(env).openInvocation(null, fields);
      const message = `queue ${batch.queue}`;
      return run(
        invocation,
        ctx,
        () => queue.call(handler, tracked.batch, env, ctx, invocation.log),
        (_, error, failed) => {
          invocation.log.set({ messages: tracked.summary(failed) });
          return failed ? { error, message } : { message };
        },
      );
    };
  }
  return wrapped;
}
