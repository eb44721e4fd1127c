/**
 * `withShiplogDurableObject(options, Class)`: a Durable Object class whose `fetch` and `alarm`
 * handlers each run as one invocation of the one lifecycle — a request logger (last argument, and
 * `getLogger()`), the wide event when the handler settles, and the flush handed to the object's
 * `this.ctx.waitUntil` (the DurableObjectState the runtime passed to the constructor).
 */
import type { RequestLogger } from '../../src/internal.js';
import { edgeFields, fetchOutcome, workersInvoker, type WithShiplogOptions } from './invoke.js';

/** The part of `DurableObjectState` shiplog uses. */
export interface DurableObjectStateLike {
  waitUntil(promise: Promise<unknown>): void;
  readonly id?: { toString(): string; readonly name?: string | undefined };
}

/** The part of the alarm handler's `AlarmInvocationInfo` shiplog records. */
export interface AlarmInvocationInfoLike {
  readonly retryCount?: number;
  readonly isRetry?: boolean;
}

/**
 * The handlers of a Durable Object class written for the wrapper: the runtime's arguments, then
 * the invocation's logger.
 */
export interface ShiplogDurableObject {
  fetch?(request: Request, log: RequestLogger): Response | Promise<Response>;
  alarm?(alarmInfo: AlarmInvocationInfoLike | undefined, log: RequestLogger): void | Promise<void>;
}

/** Any class: the constructor's arguments are the runtime's `(ctx, env)`. */
export type DurableObjectClass = abstract new (...args: never[]) => object;

interface Handlers {
  fetch?(request: Request, log?: RequestLogger): unknown;
  alarm?(alarmInfo?: AlarmInvocationInfoLike, log?: RequestLogger): unknown;
}

/** The object's name (idFromName), else its hex id; undefined when the state has no id. */
function objectId(state: DurableObjectStateLike): string | undefined {
  try {
    return state.id?.name ?? state.id?.toString();
  } catch {
    return undefined;
  }
}

/**
 * Wraps a Durable Object class: export the result under the class name your binding uses
 * (`export const Counter = withShiplogDurableObject(options, CounterBase)`). Its `fetch` and
 * `alarm` (whichever it defines) are called with the invocation's logger as an extra last
 * argument; the wide event carries `durableObject: { class, id }` (id = the name it was
 * addressed by, else its hex id). One logger per wrapped class and isolate, created at the
 * first invocation with the object's `env` as the source of `SHIPLOG_*` overrides.
 */
export function withShiplogDurableObject<Env = unknown, C extends DurableObjectClass = DurableObjectClass>(options: WithShiplogOptions<Env>, Class: C): C {
  const invoker = workersInvoker<Env>(options);
  const states = new WeakMap<object, { state: DurableObjectStateLike; env: Env }>();
  // A mixin needs a constructor of `any[]`; the public type stays the user's own class.
  const Base = Class as unknown as new (...args: unknown[]) => Handlers;
  const className = Class.name || 'DurableObject';

  class Logged extends Base {
    constructor(...args: unknown[]) {
      super(...args);
      states.set(this, { state: args[0] as DurableObjectStateLike, env: args[1] as Env });
    }
  }
  const proto = Base.prototype as Handlers;
  const facts = (self: object): { state: DurableObjectStateLike; env: Env; fields: { durableObject: { class: string; id: string | undefined } } } => {
    const { state, env } = states.get(self) as { state: DurableObjectStateLike; env: Env };
    return { state, env, fields: { durableObject: { class: className, id: objectId(state) } } };
  };
  const waitUntilOf = (state: DurableObjectStateLike) => (promise: Promise<unknown>) => state.waitUntil(promise);

  if (typeof proto.fetch === 'function') {
    const fetch = proto.fetch;
    Object.defineProperty(Logged.prototype, 'fetch', {
      configurable: true,
      writable: true,
      value(this: Handlers, request: Request): Promise<unknown> {
        const { state, env, fields } = facts(this);
        return invoker.run(env, waitUntilOf(state), {
          request,
          fields: { ...edgeFields(request), ...fields },
          bindTo: request,
          call: (log) => fetch.call(this, request, log),
          outcome: (response, error, failed) => (failed ? { status: 500, error } : fetchOutcome(response)),
        });
      },
    });
  }
  if (typeof proto.alarm === 'function') {
    const alarm = proto.alarm;
    Object.defineProperty(Logged.prototype, 'alarm', {
      configurable: true,
      writable: true,
      value(this: Handlers, alarmInfo?: AlarmInvocationInfoLike): Promise<unknown> {
        const { state, env, fields } = facts(this);
        const message = `alarm ${className}`;
        const retry = alarmInfo === undefined ? {} : { retryCount: alarmInfo.retryCount, isRetry: alarmInfo.isRetry };
        return invoker.run(env, waitUntilOf(state), {
          request: null,
          fields: { trigger: 'alarm', ...fields, ...retry },
          call: (log) => alarm.call(this, alarmInfo, log),
          outcome: (_, error, failed) => (failed ? { error, message } : { message }),
        });
      },
    });
  }
  Object.defineProperty(Logged, 'name', { value: className });
  return Logged as unknown as C;
}
