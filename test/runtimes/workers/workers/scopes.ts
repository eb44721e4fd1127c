/**
 * Global-scope and cross-request logging: a logger used at global scope (with an http sink,
 * URL injected at bundle time), and a request logger kept from one request and used in the
 * next. Neither may send on its own; both must ride with the next invocation's flush.
 */
import { createLogger, withShiplog, type RequestLogger } from 'shiplog/workers';

declare const INGEST_URL: string;

const log = createLogger({ service: 'scopes', endpoint: INGEST_URL, retry: { initialDelayMs: 10 } });
log.info('logged at global scope');

let kept: RequestLogger | undefined;

export default withShiplog(log, {
  fetch(request, _env, _ctx, requestLog) {
    const path = new URL(request.url).pathname;
    if (path === '/keep') kept = requestLog;
    if (path === '/late') kept?.info('late event from an ended request');
    // The module-level logger inside a request: with AsyncLocalStorage it joins this invocation.
    if (path === '/module') log.info('module logger inside a request');
    if (path === '/stats') return Response.json(requestLog.stats());
    return new Response('ok');
  },
});
