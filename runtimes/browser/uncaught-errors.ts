import type { Logger } from '../../src/logger.js';

/**
 * Logs uncaught errors (`error` events of scripts) and unhandled promise rejections as error
 * events. Resource load failures are not script errors and are left alone. Returns a function
 * that removes the listeners.
 */
export function captureUncaughtErrors(logger: Logger): () => void {
  const onError = (event: ErrorEvent): void => {
    const error: unknown = event.error ?? event.message;
    logger.error(
      { error, kind: 'uncaught-error', file: event.filename || undefined, line: event.lineno || undefined, column: event.colno || undefined },
      `Uncaught ${error instanceof Error ? `${error.name}: ${error.message}` : String(event.message)}`,
    );
  };
  const onRejection = (event: PromiseRejectionEvent): void => {
    const reason: unknown = event.reason;
    logger.error(
      { error: reason, kind: 'unhandled-rejection' },
      `Unhandled rejection: ${reason instanceof Error ? `${reason.name}: ${reason.message}` : typeof reason === 'string' ? reason : typeof reason}`,
    );
  };
  addEventListener('error', onError);
  addEventListener('unhandledrejection', onRejection);
  return () => {
    removeEventListener('error', onError);
    removeEventListener('unhandledrejection', onRejection);
  };
}
