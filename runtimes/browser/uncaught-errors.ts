import { describeError, type LeanLogger } from '../../src/internal.js';
import { listen } from './page-lifecycle.js';

/**
 * `Name: message` of a thrown value (the core's {@link describeError}), or `fallback` when it is
 * not an Error. Never throws: the value comes from any script on the page and may be a revoked
 * Proxy, and an exception inside an `error` listener is not reported again, so the event would be lost.
 */
function describe(value: unknown, fallback: () => string): string {
  try {
    return value instanceof Error ? describeError(value) : fallback();
  } catch {
    return 'unprintable error';
  }
}

/**
 * Logs uncaught errors (`error` events of scripts) and unhandled promise rejections as error
 * events. Resource load failures are not script errors and are left alone. Returns the
 * functions that remove the listeners.
 */
export function captureUncaughtErrors(logger: LeanLogger): (() => void)[] {
  const onError = (event: ErrorEvent): void => {
    const error: unknown = event.error ?? event.message;
    logger.error(
      { error, kind: 'uncaught-error', file: event.filename || undefined, line: event.lineno || undefined, column: event.colno || undefined },
      `Uncaught ${describe(error, () => String(event.message))}`,
    );
  };
  const onRejection = (event: PromiseRejectionEvent): void => {
    const reason: unknown = event.reason;
    logger.error(
      { error: reason, kind: 'unhandled-rejection' },
      `Unhandled rejection: ${describe(reason, () => (typeof reason === 'string' ? reason : typeof reason))}`,
    );
  };
  return [listen('error', onError), listen('unhandledrejection', onRejection)];
}
