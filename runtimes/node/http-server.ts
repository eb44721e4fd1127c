/**
 * `withLogger(handler)` for a plain node:http server: `http.createServer(withLogger(options, (req, res, log) => …))`.
 * One wide event per request, `getLogger()` inside the handler, flushed in the background.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger, RequestLogger } from '../../src/internal.js';
import { createLogger } from './index.js';
import { observeRequest, type NodeServerOptions, type ServerRequestState } from './server-lifecycle.js';

/** A node:http request listener that also receives its request's logger. */
export type LoggedRequestListener = (req: IncomingMessage, res: ServerResponse, log: RequestLogger) => void | Promise<void>;

/**
 * Wraps a node:http request listener. A handler that throws (or rejects) before answering gets
 * a 500 and the error in its wide event; the error is not rethrown (it would crash the server).
 * `options.logger` defaults to a `shiplog/node` logger made at the first request.
 */
export function withLogger(options: NodeServerOptions, handler: LoggedRequestListener): (req: IncomingMessage, res: ServerResponse) => void {
  let logger: Logger | undefined = options.logger;
  return (req, res) => {
    logger ??= createLogger();
    const state: ServerRequestState = {};
    const fail = (error: unknown): void => {
      state.error ??= error;
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      if (!res.writableEnded) res.end('Internal Server Error');
    };
    void observeRequest(logger, req, res, options, state, (log) => {
      try {
        const result = handler(req, res, log);
        if (result !== undefined && typeof (result as Promise<void>).then === 'function') (result as Promise<void>).catch(fail);
      } catch (error) {
        fail(error);
      }
    });
  };
}
