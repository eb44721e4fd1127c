/**
 * A console-only Worker that counts the timers armed and the randomness drawn while it serves
 * requests (the globals are wrapped at module scope, before any request), and reports them with
 * its logger's stats at `/cost`.
 */
import { createLogger, withShiplog } from 'shiplog/workers';

const counts = { timers: 0, randomDraws: 0 };
const setTimer = globalThis.setTimeout;
globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
  counts.timers++;
  return setTimer(...args);
}) as typeof setTimeout;
const getRandomValues = crypto.getRandomValues.bind(crypto);
crypto.getRandomValues = (<T extends ArrayBufferView | null>(array: T): T => {
  counts.randomDraws++;
  return getRandomValues(array as never) as T;
}) as typeof crypto.getRandomValues;

const log = createLogger({ service: 'cost' });

export default withShiplog(log, {
  fetch(request, _env, _ctx, requestLog) {
    if (new URL(request.url).pathname === '/cost') return Response.json({ ...counts, stats: log.stats().sinks });
    requestLog.info('inside');
    return new Response('ok');
  },
});
