/**
 * `withShiplog(options, handler)`: wraps a module Worker's fetch, scheduled and queue handlers.
 * Each is a short declaration over the one request lifecycle (src/lifecycle/run.ts): a request
 * logger per invocation (4th handler argument, and `getLogger()` with AsyncLocalStorage), its
 * wide event when the handler settles, and its events delivered from that invocation's
 * `ctx.waitUntil`, by a deadline, after the response.
 */
import {
  FLUSH_DEADLINES,
  InvocationPipelines,
  Logger,
  PerInvocationRoute,
  runLifecycle,
  type Fields,
  type Invocation,
  type Outcome,
  type RequestLike,
  type RequestLogger,
} from '../../src/internal.js';
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
export type WithShiplogOptions<Env> = WorkersLoggerOptions | ((env: Env) => WorkersLoggerOptions) | Logger;

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

/** What differs between fetch, scheduled and queue: the rest is the one lifecycle. */
interface Trigger<R> {
  request: RequestLike | null;
  fields: Fields;
  bindTo?: object;
  call(log: RequestLogger): R | Promise<R>;
  outcome(result: R | undefined, error: unknown, failed: boolean, log: RequestLogger): Outcome;
}

/**
 * Wraps a module Worker (a plain object or a Hono app). Options are read at the first
 * invocation, with the Worker `env` as the source of `SHIPLOG_*` overrides.
 */
export function withShiplog<Env = unknown, QueueBody = unknown>(
  options: WithShiplogOptions<Env>,
  handler: ShiplogHandler<Env, QueueBody>,
): WrappedHandler<Env, QueueBody> {
  let root: Logger | undefined;
  let flushTimeoutMs: number = FLUSH_DEADLINES.invocation;

  const setup = (env: Env): Logger => {
    if (root !== undefined) return root;
    let explicit: WorkersLoggerOptions | undefined;
    if (options instanceof Logger) root = options;
    else {
      explicit = typeof options === 'function' ? options(env) : options;
      root = createLogger({ vars: (env ?? {}) as Record<string, unknown>, ...explicit });
      flushTimeoutMs = explicit?.flushTimeoutMs ?? flushTimeoutMs;
    }
    const storage = invocationStorage(explicit?.asyncLocalStorage);
    const route = Logger.coreOf(root).route;
    if (storage !== null && route instanceof PerInvocationRoute) route.delivery.current = () => storage.getStore()?.pipelines;
    return root;
  };

  /** One invocation of any trigger, declared over the lifecycle. */
  function run<R>(env: Env, ctx: WorkersExecutionContext, trigger: Trigger<R>): Promise<R> {
    return runLifecycle<R>({
      logger: setup(env),
      request: trigger.request,
      fields: trigger.fields,
      ...(trigger.bindTo === undefined ? {} : { bindTo: trigger.bindTo }),
      run: (log, invocation: Invocation) => {
        const storage = invocationStorage();
        const call = (): R | Promise<R> => trigger.call(log);
        const pipelines = invocation.owned instanceof InvocationPipelines ? invocation.owned : undefined;
        return storage === null ? call() : storage.run({ log, pipelines }, call);
      },
      outcome: (result, error, failed, log) => trigger.outcome(result, error, failed, log),
      flushTimeoutMs,
      waitUntil: (promise) => ctx.waitUntil(promise),
    });
  }

  const wrapped: WrappedHandler<Env, QueueBody> = {};
  const { fetch, scheduled, queue } = handler;
  if (typeof fetch === 'function') {
    wrapped.fetch = (request, env, ctx) =>
      run(env, ctx, {
        request,
        fields: edgeFields(request),
        bindTo: request,
        call: (log) => fetch.call(handler, request, env, ctx, log),
        outcome: (response, error, failed) => (failed ? { status: 500, error } : fetchOutcome(response)),
      });
  }
  if (typeof scheduled === 'function') {
    wrapped.scheduled = (controller, env, ctx) => {
      const { cron, scheduledTime } = controller;
      const time = new Date(scheduledTime);
      const message = `scheduled ${cron}`;
      return run(env, ctx, {
        request: null,
        fields: { trigger: 'scheduled', cron, scheduledTime: Number.isNaN(time.getTime()) ? scheduledTime : time.toISOString() },
        call: (log) => scheduled.call(handler, controller, env, ctx, log),
        outcome: (_, error, failed) => (failed ? { error, message } : { message }),
      });
    };
  }
  if (typeof queue === 'function') {
    wrapped.queue = (batch, env, ctx) => {
      const tracked = trackBatch(batch);
      const message = `queue ${batch.queue}`;
      return run(env, ctx, {
        request: null,
        fields: { trigger: 'queue', queue: batch.queue, batchSize: batch.messages.length },
        call: (log) => queue.call(handler, tracked.batch, env, ctx, log),
        outcome: (_, error, failed, log) => {
          log.set({ messages: tracked.summary(failed) });
          return failed ? { error, message } : { message };
        },
      });
    };
  }
  return wrapped;
}
