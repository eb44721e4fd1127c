/**
 * The request lifecycle of a Node HTTP server (node:http, Express, Fastify), declared over the
 * one lifecycle in src/lifecycle/run.ts: the invocation lasts until the response `finish`es or
 * its connection `close`s early (then the wide event says `aborted: true`); the flush runs in
 * the background with a deadline, so it never delays the response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FLUSH_DEADLINES, runLifecycle, type Fields, type FlushResult, type Logger, type RequestLogger } from '../../src/internal.js';
import { runWithLogger } from './request-context.js';

/** Options shared by the Node server adapters. */
export interface NodeServerOptions {
  /**
   * The logger whose request loggers the adapter makes. Create it once (`createLogger()` from
   * `shiplog/node`) and pass it, so the app and the adapter share sinks and exit hooks.
   * @default a `shiplog/node` logger created at the first request
   */
  logger?: Logger;
  /**
   * Deadline of the background flush after each response; a send still in flight then is
   * aborted and its events go with the next flush. Never delays the response.
   * @default 5000
   */
  flushTimeoutMs?: number;
  /** Extra fields for each request logger; a throw is contained (the request is logged without them). @default undefined */
  fields?: (req: IncomingMessage) => Fields;
  /** Told the outcome of each request's flush. @default undefined */
  onFlush?: (result: FlushResult, log: RequestLogger) => void;
}

/** What the framework adapter tells the lifecycle about one request while it runs. */
export interface ServerRequestState {
  /** The route pattern (`/users/:id`), read when the response ends. */
  route?: () => string | undefined;
  /** The error that failed the request (a thrown error, `next(err)`), if any. */
  error?: unknown;
}

/** The response has ended (finish) or its connection closed first (aborted). */
function settled(res: ServerResponse): Promise<{ aborted: boolean }> {
  return new Promise((resolve) => {
    if (res.writableFinished) return resolve({ aborted: false });
    const done = (): void => {
      res.off('finish', onFinish);
      res.off('close', onClose);
    };
    const onFinish = (): void => {
      done();
      resolve({ aborted: false });
    };
    // 'close' before 'finish': the client went away (or the socket broke) mid-response.
    const onClose = (): void => {
      done();
      resolve({ aborted: !res.writableFinished });
    };
    res.once('finish', onFinish);
    res.once('close', onClose);
  });
}

/**
 * Runs one request: a request logger (`getLogger()` inside `handle`), the wide event when the
 * response ends — method, path, route, status, duration, error, `aborted` — and the flush.
 * `handle` starts the handling (it may return before the response ends: streaming).
 */
export function observeRequest(
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  options: NodeServerOptions,
  state: ServerRequestState,
  handle: (log: RequestLogger) => void,
): Promise<void> {
  let fields: Fields | undefined;
  let fieldsError: unknown;
  try {
    fields = options.fields?.(req);
  } catch (error) {
    fieldsError = error;
  }
  return runLifecycle<{ aborted: boolean }>({
    logger,
    request: req,
    ...(fields === undefined ? {} : { fields }),
    run: (log) => {
      if (fieldsError !== undefined) log.warn('shiplog: the fields option threw; request logged without its fields', { error: fieldsError });
      const ended = settled(res);
      try {
        runWithLogger(log, () => handle(log));
      } catch (error) {
        // The framework normally catches handler errors; a throw that escapes still gets logged.
        state.error ??= error;
      }
      return ended;
    },
    outcome: (ending, _error, _failed, log) => {
      let route: string | undefined;
      try {
        route = state.route?.();
      } catch {
        route = undefined;
      }
      if (route !== undefined) log.set({ route });
      const aborted = ending?.aborted === true;
      if (aborted) log.set({ aborted: true });
      // An aborted response has no status the client saw; a failed one without a status set is a 500.
      const status = aborted && !res.headersSent ? undefined : res.statusCode;
      return state.error === undefined ? { status } : { status: status !== undefined && status >= 400 ? status : 500, error: state.error };
    },
    flushTimeoutMs: options.flushTimeoutMs ?? FLUSH_DEADLINES.nodeRequest,
    // The response has ended: the flush runs in the background, nothing awaits it.
    waitUntil: (flushing) => void flushing,
    ...(options.onFlush === undefined ? {} : { onFlush: options.onFlush }),
  }).then(() => undefined);
}
