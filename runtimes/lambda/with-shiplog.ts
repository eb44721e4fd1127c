/**
 * `withShiplog(options, handler)`: one request logger and one wide event per Lambda invocation,
 * and a flush that is finished before the handler's promise settles, because Lambda freezes
 * the sandbox at that instant.
 */
import process from 'node:process';
import {
  FLUSH_DEADLINES,
  describeError,
  isMilliseconds,
  runLifecycle,
  type Fields,
  type FlushResult,
  type Logger,
  type LoggerOptions,
  type RequestLogger,
} from '../../src/internal.js';
import { createLambdaLogger, rawConsole, type FailureBufferOptions, type FailureBufferRoute } from './create-logger.js';
import { httpEventInfo, resultStatus, type HttpEventInfo } from './http-event.js';
import { InvocationDeadline } from './invocation-deadline.js';
import { runWithLogger } from './context.js';

/** The parts of the Lambda `Context` the wrapper reads (compatible with `@types/aws-lambda`). */
export interface LambdaContext {
  awsRequestId: string;
  functionName?: string;
  functionVersion?: string;
  memoryLimitInMB?: string;
  invokedFunctionArn?: string;
  getRemainingTimeInMillis?(): number;
}

/** An async Lambda handler that also receives its invocation's logger. */
export type LoggedLambdaHandler<E, R, C extends LambdaContext> = (event: E, context: C, log: RequestLogger) => Promise<R>;

/** The wrapped handler Lambda calls; `logger` is the sandbox's logger (stats, tests). */
export interface WrappedLambdaHandler<E, R, C extends LambdaContext> {
  (event: E, context: C): Promise<R>;
  /** The sandbox's logger, created at the first invocation (undefined before). */
  readonly logger: Logger | undefined;
}

/** Options of {@link withShiplog}: logger options plus when and how long to flush. */
export interface LambdaOptions extends LoggerOptions {
  /** Use this logger instead of creating one (then `failureBuffer` is ignored). @default a logger created at the first invocation */
  logger?: Logger;
  /**
   * Longest flush at the end of an invocation; it is also cut to the remaining time minus
   * `marginMs`. A send still in flight then is aborted (a hung connection must not stay open
   * into the freeze); its events stay pending and go with the next invocation's flush.
   * @default 2000
   */
  flushTimeoutMs?: number;
  /** Time kept free before Lambda's deadline, so the handler settles before Lambda kills it. @default 100 */
  marginMs?: number;
  /**
   * When the handler is still running this long (plus `marginMs`) before Lambda's deadline,
   * a warn event "invocation about to time out" carrying the wide event's fields so far is
   * written and flushed: Lambda kills a timed-out sandbox without running `finally`, so this
   * is the last moment to say anything. 0 disables.
   * @default 300
   */
  timeoutWarningMs?: number;
  /**
   * Hold events below `level` per invocation and write them only if it fails (thrown error,
   * status >= 500, or timeout warning). `true` = `{ level: 'debug', maxEvents: 200 }`.
   * @default undefined (off)
   */
  failureBuffer?: boolean | FailureBufferOptions;
  /**
   * Told every invocation's flush result. Default: when events missed the deadline or were
   * dropped, one JSON warn line with the counts goes to stderr (CloudWatch), never through
   * the sinks that failed.
   * @default a stderr report of incomplete flushes
   */
  onFlush?: (result: FlushResult, log: RequestLogger) => void;
}

const DEFAULT_MARGIN_MS = 100;
const DEFAULT_TIMEOUT_WARNING_MS = 300;

/**
 * A millisecond option, or its default when it is not a number >= 0 (NaN from an unset
 * `Number(process.env.X)`): NaN would make the flush budget NaN, i.e. the core's 10 s flush
 * deadline regardless of Lambda's remaining time, and arm the timeout warning at once.
 */
function msOption(value: number | undefined, fallback: number, finite: boolean): number {
  return isMilliseconds(value) || (!finite && value === Infinity) ? value : fallback;
}

/**
 * Reports an incomplete flush on stderr, outside the pipelines (which are what failed): the
 * counts of this flush, and per troubled sink what is still pending and what was dropped, by reason.
 */
function reportIncompleteFlush(result: FlushResult, log: RequestLogger): void {
  if (result.ok) return;
  const { delivered, dropped, pending, timedOut } = result;
  const sinks = Object.values(log.stats().sinks)
    .filter((sink) => sink.pending > 0 || sink.dropped > 0)
    .map(({ name, pending: waiting, droppedByReason, lastError }) => ({ name, pending: waiting, droppedByReason, lastError: lastError?.message }));
  rawConsole().warn(
    JSON.stringify({
      level: 'warn',
      time: new Date().toISOString(),
      msg: 'shiplog: flush at the end of the invocation was incomplete',
      requestId: log.requestId,
      flush: { delivered, dropped, pending, timedOut },
      sinks,
    }),
  );
}

/** The X-Ray trace root from `_X_AMZN_TRACE_ID` (`Root=1-…;Parent=…;Sampled=1`), set per invocation. */
function xrayTraceId(): string | undefined {
  const header = process.env._X_AMZN_TRACE_ID;
  return header === undefined ? undefined : (/(?:^|;)\s*Root=([^;]+)/.exec(header)?.[1] ?? header);
}

/** Makes the Lambda request id the invocation's `requestId`; the event's headers serve the rest. */
function requestLike(context: LambdaContext, http: HttpEventInfo | undefined): { method?: string; url?: string; headers: { get(name: string): string | null } } {
  const headers = http?.headers ?? {};
  return {
    ...(http === undefined ? {} : { method: http.method, url: http.path }),
    headers: { get: (name) => (name === 'x-request-id' ? (context.awsRequestId ?? null) : (headers[name] ?? null)) },
  };
}

function invocationFields(context: LambdaContext, coldStart: boolean, http: HttpEventInfo | undefined): Fields {
  const memory = Number(context.memoryLimitInMB);
  const fields: Fields = {
    lambda: {
      function: context.functionName,
      version: context.functionVersion,
      memoryMb: Number.isFinite(memory) ? memory : undefined,
      coldStart,
      trigger: http?.source,
    },
  };
  if (http !== undefined) {
    const { route, ip, userAgent, gatewayRequestId } = http;
    fields.http = { route, ip, userAgent, gatewayRequestId };
  }
  return fields;
}

/** How one invocation's handler is called and what its result says; the rest is the shared lifecycle. */
export interface LambdaCall<R> {
  /** Runs the user's handler with the invocation's logger. */
  call(log: RequestLogger): Promise<R>;
  /** The HTTP status the result stands for (undefined: none). Must not throw. */
  status(result: R | undefined, http: HttpEventInfo | undefined): number | undefined;
}

/** Runs invocations of one wrapped handler: the sandbox's logger, cold start, deadline, wide event, flush. */
export interface LambdaInvoker {
  invoke<E, R>(event: E, context: LambdaContext, declared: LambdaCall<R>): Promise<R>;
  /** The sandbox's logger, created at the first invocation (undefined before). */
  readonly logger: Logger | undefined;
}

/**
 * The one Lambda invocation, shared by the async, streaming and callback wrappers. Per
 * invocation: a request logger whose `requestId` is the Lambda request id and whose events carry
 * the X-Ray trace id; the wide event (cold start, function name/version/memory, HTTP request and
 * status for API Gateway v1/v2, ALB and Function URL events) when the handler is done; then a
 * flush bounded by `min(flushTimeoutMs, remaining time - marginMs)`, awaited before the returned
 * promise settles. A thrown error is logged and rethrown unchanged.
 */
export function lambdaInvoker(options: LambdaOptions): LambdaInvoker {
  let logger = options.logger;
  let buffer: FailureBufferRoute | undefined;
  let invocations = 0;
  const marginMs = msOption(options.marginMs, DEFAULT_MARGIN_MS, true);
  // Infinity is fine here: the budget is still cut to the remaining time.
  const flushTimeoutMs = msOption(options.flushTimeoutMs, FLUSH_DEADLINES.lambdaInvocation, false);
  const onFlush = options.onFlush ?? reportIncompleteFlush;

  const invoke = <E, R>(event: E, context: LambdaContext, declared: LambdaCall<R>): Promise<R> => {
    if (logger === undefined) {
      const failureBuffer = options.failureBuffer === true ? {} : options.failureBuffer || undefined;
      ({ logger, buffer } = createLambdaLogger(options, failureBuffer));
    }
    // Provisioned concurrency initializes sandboxes ahead of traffic: no invocation pays for it.
    const coldStart = invocations++ === 0 && process.env.AWS_LAMBDA_INITIALIZATION_TYPE !== 'provisioned-concurrency';
    const http = httpEventInfo(event);
    const xray = xrayTraceId();
    // Lambda always passes a context; a direct call (`handler(event)` in a test) may not, and
    // reading it must not throw before the handler runs.
    const facts: LambdaContext = typeof context === 'object' && context !== null ? context : ({} as LambdaContext);
    const deadline = new InvocationDeadline(facts, marginMs);
    const sandboxLogger = logger;
    const held = buffer;
    return runLifecycle<R>({
      logger: sandboxLogger,
      request: requestLike(facts, http),
      ...(xray === undefined ? {} : { fields: { xrayTraceId: xray } }),
      run: async (log) => {
        log.set(invocationFields(facts, coldStart, http));
        held?.hold();
        deadline.warnBefore(options.timeoutWarningMs ?? DEFAULT_TIMEOUT_WARNING_MS, (flushMs) => {
          held?.release(true);
          const request = http === undefined ? {} : { method: http.method, path: http.path };
          log.warn('invocation about to time out', { ...request, ...log.fields, remainingMs: deadline.remainingMs() });
          void sandboxLogger.flush({ timeoutMs: flushMs });
        });
        try {
          return await runWithLogger(log, () => declared.call(log));
        } finally {
          deadline.cancel();
        }
      },
      outcome: (result, error, failed) => {
        // status() never throws (a result with a throwing statusCode getter has none), so the
        // wide event, the held events and the flush cannot be skipped by the result.
        const status = failed ? undefined : declared.status(result, http);
        held?.release(failed || (status !== undefined && status >= 500));
        // Non-HTTP triggers (SQS, S3, direct invoke…) have no request line to name the event by.
        const message = http === undefined ? { message: 'invocation' } : {};
        return failed ? { error, ...message } : { status, ...message };
      },
      // Lambda freezes the sandbox when the handler is done: the flush is awaited, within the time left.
      flushTimeoutMs: () => deadline.flushBudget(flushTimeoutMs),
      onFlush,
      onInternalError: (internal) => {
        // Never let logging replace the handler's outcome; say so on stderr instead.
        rawConsole().error(JSON.stringify({ level: 'error', msg: 'shiplog: end of invocation failed', error: describeError(internal) }));
      },
    });
  };
  return {
    invoke,
    get logger() {
      return logger;
    },
  };
}

/** Exposes the invoker's sandbox logger as `handler.logger`. */
export function withLoggerProperty<F extends object>(wrapped: F, invoker: LambdaInvoker): F & { readonly logger: Logger | undefined } {
  return Object.defineProperty(wrapped, 'logger', { get: () => invoker.logger, enumerable: true }) as F & { readonly logger: Logger | undefined };
}

/**
 * Wraps an async Lambda handler: a request logger per invocation (third argument, and
 * `getLogger()` anywhere below the handler), the wide event when the handler settles (status
 * from the result's `statusCode`), then, in `finally`, the flush bounded by the time left.
 */
export function withShiplog<E = unknown, R = unknown, C extends LambdaContext = LambdaContext>(
  options: LambdaOptions,
  handler: LoggedLambdaHandler<E, R, C>,
): WrappedLambdaHandler<E, R, C> {
  const invoker = lambdaInvoker(options);
  const wrapped = (event: E, context: C): Promise<R> =>
    invoker.invoke<E, R>(event, context, {
      call: (log) => handler(event, context, log),
      status: (result, http) => resultStatus(http?.source, result),
    });
  return withLoggerProperty(wrapped, invoker);
}
