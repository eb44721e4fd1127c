/**
 * `withShiplogStream(options, handler)`: a response-streaming Lambda handler
 * (`awslambda.streamifyResponse`, called as `(event, responseStream, context)`). The wide event
 * is written once the handler is done and its stream has ended — the client already has the
 * whole response — and flushed before the handler's promise settles, which is when Lambda
 * freezes the sandbox.
 */
import type { RequestLogger } from '../../src/internal.js';
import { lambdaInvoker, withLoggerProperty, type LambdaContext, type LambdaOptions, type WrappedLambdaHandler } from './with-shiplog.js';

/** The part of Lambda's response stream (a Node `Writable`) shiplog reads. */
export interface ResponseStreamLike {
  /** True once `end()` was called. */
  readonly writableEnded?: boolean;
  /** True once everything written was handed to the runtime. */
  readonly writableFinished?: boolean;
  once?(event: 'finish' | 'close' | 'error', listener: () => void): unknown;
}

/** A streaming handler that also receives its invocation's logger. */
export type LoggedStreamingHandler<E, S extends ResponseStreamLike, C extends LambdaContext> = (
  event: E,
  responseStream: S,
  context: C,
  log: RequestLogger,
) => Promise<void>;

/** The handler Lambda calls: marked for response streaming when `awslambda` is present. */
export interface WrappedStreamingHandler<E, S extends ResponseStreamLike, C extends LambdaContext> {
  (event: E, responseStream: S, context: C): Promise<void>;
  /** The sandbox's logger, created at the first invocation (undefined before). */
  readonly logger: WrappedLambdaHandler<E, void, C>['logger'];
}

/** What the Lambda Node.js runtime puts on `globalThis` (only inside Lambda). */
interface AwsLambdaGlobal {
  streamifyResponse<F>(handler: F): F;
}

/** The runtime's `awslambda` global, read when the handler is wrapped (module init), never at import. */
function awslambdaGlobal(): AwsLambdaGlobal | undefined {
  const candidate = (globalThis as { awslambda?: Partial<AwsLambdaGlobal> }).awslambda;
  return typeof candidate?.streamifyResponse === 'function' ? (candidate as AwsLambdaGlobal) : undefined;
}

/**
 * Waits until an ended stream has handed everything to the runtime (`finish`), so the wide
 * event follows the response; bounded, because a stream the runtime never finishes must not
 * eat the flush budget. A stream the handler never ended is left to the runtime, which ends it.
 */
function streamDone(stream: ResponseStreamLike, boundMs: number): Promise<void> {
  if (stream.writableEnded !== true || stream.writableFinished === true || typeof stream.once !== 'function') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, boundMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    for (const event of ['finish', 'close', 'error'] as const) stream.once?.(event, done);
  });
}

/** Longest wait for an ended stream to finish before the wide event is written. */
const STREAM_FINISH_BOUND_MS = 1000;

/** The wide event's facts about the stream. */
function streamFields(stream: ResponseStreamLike): { ended: boolean | undefined } {
  return { ended: stream.writableEnded };
}

/**
 * Wraps a response-streaming Lambda handler. Per invocation: the request logger (4th argument,
 * and `getLogger()`), the wide event with `stream: { ended }` after the handler resolved and its
 * stream finished, then the flush bounded by the time left — all before the promise Lambda
 * waits for settles. Inside Lambda the result is passed through `awslambda.streamifyResponse`
 * (detected when `withShiplogStream` is called, i.e. at module init); elsewhere (tests, local
 * runs) it is the plain `(event, responseStream, context)` function. The status comes from
 * `log.set({ status })` if you set one: the prelude given to `HttpResponseStream.from` is not
 * readable back.
 */
export function withShiplogStream<E = unknown, S extends ResponseStreamLike = ResponseStreamLike, C extends LambdaContext = LambdaContext>(
  options: LambdaOptions,
  handler: LoggedStreamingHandler<E, S, C>,
): WrappedStreamingHandler<E, S, C> {
  const invoker = lambdaInvoker(options);
  const wrapped = async (event: E, responseStream: S, context: C): Promise<void> => {
    // The invocation's "result" is the status the handler set, if any: the stream itself has none to read.
    await invoker.invoke<E, number | undefined>(event, context, {
      call: async (log) => {
        await handler(event, responseStream, context, log);
        await streamDone(responseStream, STREAM_FINISH_BOUND_MS);
        log.set({ stream: streamFields(responseStream) });
        const status = log.fields.status;
        return typeof status === 'number' ? status : undefined;
      },
      status: (status) => status,
    });
  };
  const marked = awslambdaGlobal()?.streamifyResponse(wrapped) ?? wrapped;
  return withLoggerProperty(marked, invoker);
}
