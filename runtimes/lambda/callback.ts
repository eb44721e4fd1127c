/**
 * `withShiplogCallback(options, handler)`: a callback-style Lambda handler
 * (`(event, context, callback)`). The wrapper calls Lambda's callback only after the wide event
 * is written and flushed: with `context.callbackWaitsForEmptyEventLoop = false` Lambda freezes
 * the sandbox right at the callback, and with `true` a pending send would be cut by the freeze
 * just as well once the event loop has nothing else to do.
 */
import type { RequestLogger } from '../../src/internal.js';
import { resultStatus } from './http-event.js';
import { lambdaInvoker, withLoggerProperty, type LambdaContext, type LambdaOptions } from './with-shiplog.js';

/** Lambda's callback: `callback(error)` fails the invocation, `callback(null, result)` answers it. */
export type LambdaCallback<R> = (error?: unknown, result?: R) => void;

/** A callback-style handler that also receives its invocation's logger. */
export type LoggedCallbackHandler<E, R, C extends LambdaContext> = (event: E, context: C, callback: LambdaCallback<R>, log: RequestLogger) => void;

/** The handler Lambda calls. It returns nothing, so the runtime waits for the callback. */
export interface WrappedCallbackHandler<E, R, C extends LambdaContext> {
  (event: E, context: C, callback: LambdaCallback<R>): void;
  /** The sandbox's logger, created at the first invocation (undefined before). */
  readonly logger: ReturnType<typeof lambdaInvoker>['logger'];
}

/**
 * Wraps a callback-style Lambda handler (Node.js 22 and older runtimes: AWS removed the callback
 * signature from its Node.js 24 runtime). The handler's `callback(error, result)` (or a throw)
 * ends the invocation: the wide event is written (status from the result's `statusCode`), the
 * flush runs bounded by the time left, and only then is Lambda's callback called, with the
 * handler's own error or result, unchanged. A second call of the callback is ignored, as Lambda
 * ignores it.
 */
export function withShiplogCallback<E = unknown, R = unknown, C extends LambdaContext = LambdaContext>(
  options: LambdaOptions,
  handler: LoggedCallbackHandler<E, R, C>,
): WrappedCallbackHandler<E, R, C> {
  const invoker = lambdaInvoker(options);
  const wrapped = (event: E, context: C, callback: LambdaCallback<R>): void => {
    invoker
      .invoke<E, R>(event, context, {
        call: (log) =>
          new Promise<R>((resolve, reject) => {
            // A throw inside the executor rejects, like a thrown handler error.
            handler(event, context, (error, result) => (error === undefined || error === null ? resolve(result as R) : reject(error)), log);
          }),
        status: (result, http) => resultStatus(http?.source, result),
      })
      .then(
        (result) => callback(null, result),
        (error: unknown) => callback(error),
      );
  };
  return withLoggerProperty(wrapped, invoker);
}
