/**
 * One Workers invocation of any trigger (fetch, scheduled, queue, email, a Durable Object's
 * fetch/alarm), declared over the one request lifecycle (src/lifecycle/run.ts): a request logger
 * per invocation (and `getLogger()` with AsyncLocalStorage), its wide event when the handler
 * settles, and its events delivered from that invocation's `waitUntil`, by a deadline.
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

/** Options, a function of the Worker `env` returning them, or a logger from `createLogger`. */
export type WithShiplogOptions<Env> = WorkersLoggerOptions | ((env: Env) => WorkersLoggerOptions) | Logger;

/** What differs between triggers: the rest is the one lifecycle. */
export interface Trigger<R> {
  request: RequestLike | null;
  fields: Fields;
  bindTo?: object;
  call(log: RequestLogger): R | Promise<R>;
  outcome(result: R | undefined, error: unknown, failed: boolean, log: RequestLogger): Outcome;
}

/** Runs invocations of one wrapped Worker (or Durable Object class) on its logger. */
export interface WorkersInvoker<Env> {
  run<R>(env: Env, waitUntil: (promise: Promise<unknown>) => void, trigger: Trigger<R>): Promise<R>;
}

interface CfProperties {
  colo?: unknown;
  country?: unknown;
}

/** cf-ray, colo and country of a request, for its wide event. */
export function edgeFields(request: Request): Fields {
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
export function fetchOutcome(response: unknown): Outcome {
  const status = (response as { status?: unknown } | null | undefined)?.status;
  if (typeof status === 'number') return { status };
  const got = response === null ? 'null' : typeof response === 'object' ? 'an object without a numeric status' : typeof response;
  return { status: 500, error: new TypeError(`shiplog: the fetch handler returned ${got}, not a Response; workerd answers 500`) };
}

/**
 * The invoker of one wrapped Worker. Options are read at the first invocation, with the Worker
 * `env` as the source of `SHIPLOG_*` overrides.
 */
export function workersInvoker<Env>(options: WithShiplogOptions<Env>): WorkersInvoker<Env> {
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

  return {
    run<R>(env: Env, waitUntil: (promise: Promise<unknown>) => void, trigger: Trigger<R>): Promise<R> {
      return runLifecycle<R>({
        logger: setup(env),
        request: trigger.request,
        fields: trigger.fields,
        bindTo: trigger.bindTo,
        run: (log, invocation: Invocation) => {
          const storage = invocationStorage();
          const call = (): R | Promise<R> => trigger.call(log);
          const pipelines = invocation.owned instanceof InvocationPipelines ? invocation.owned : undefined;
          return storage === null ? call() : storage.run({ log, pipelines }, call);
        },
        outcome: (result, error, failed, log) => trigger.outcome(result, error, failed, log),
        flushTimeoutMs,
        waitUntil,
      });
    },
  };
}
