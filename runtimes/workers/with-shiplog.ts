/**
 * `withShiplog(options, handler)`: wraps a module Worker's fetch, scheduled, queue and email handlers.
 * Each is a short declaration over the one request lifecycle (src/lifecycle/run.ts): a request
 * logger per invocation (4th handler argument, and `getLogger()` with AsyncLocalStorage), its
 * wide event when the handler settles, and its events delivered from that invocation's
 * `ctx.waitUntil`, by a deadline, after the response.
 */
import type { RequestLogger } from '../../src/internal.js';
import { trackEmail, type ForwardableEmailMessageLike } from './email.js';
import { edgeFields, fetchOutcome, workersInvoker, type Trigger, type WithShiplogOptions } from './invoke.js';
import { trackBatch, type MessageBatchLike } from './queue.js';

export type { WithShiplogOptions } from './invoke.js';

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
  email?(message: ForwardableEmailMessageLike, env: Env, ctx: WorkersExecutionContext, log: RequestLogger): void | Promise<void>;
}

/** The wrapped Worker: the same handlers, in the shape workerd calls. */
export interface WrappedHandler<Env = unknown, QueueBody = unknown> {
  fetch?(request: Request, env: Env, ctx: WorkersExecutionContext): Promise<Response>;
  scheduled?(controller: ScheduledControllerLike, env: Env, ctx: WorkersExecutionContext): Promise<void>;
  queue?(batch: MessageBatchLike<QueueBody>, env: Env, ctx: WorkersExecutionContext): Promise<void>;
  email?(message: ForwardableEmailMessageLike, env: Env, ctx: WorkersExecutionContext): Promise<void>;
}

/**
 * Wraps a module Worker (a plain object or a Hono app). Options are read at the first
 * invocation, with the Worker `env` as the source of `SHIPLOG_*` overrides.
 */
export function withShiplog<Env = unknown, QueueBody = unknown>(
  options: WithShiplogOptions<Env>,
  handler: ShiplogHandler<Env, QueueBody>,
): WrappedHandler<Env, QueueBody> {
  const invoker = workersInvoker(options);
  const run = <R>(env: Env, ctx: WorkersExecutionContext, trigger: Trigger<R>): Promise<R> =>
    invoker.run(env, (promise) => ctx.waitUntil(promise), trigger);

  const wrapped: WrappedHandler<Env, QueueBody> = {};
  const { fetch, scheduled, queue, email } = handler;
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
  if (typeof email === 'function') {
    wrapped.email = (message, env, ctx) => {
      const tracked = trackEmail(message);
      return run(env, ctx, {
        request: null,
        fields: { trigger: 'email' },
        call: (log) => email.call(handler, tracked.message, env, ctx, log),
        outcome: (_, error, failed, log) => {
          log.set({ mail: tracked.summary() });
          return failed ? { error, message: 'email' } : { message: 'email' };
        },
      });
    };
  }
  return wrapped;
}
