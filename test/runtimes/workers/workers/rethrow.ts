/**
 * Proves withShiplog rethrows a handler's error unchanged: an outer fetch calls the wrapped one
 * and reports whether the error it caught is the very object the handler threw.
 */
import { withShiplog, type WorkersExecutionContext } from 'shiplog/workers';

interface Env {
  SHIPLOG_ENDPOINT?: string;
}

const thrown = new TypeError('handler failed');
let seen: unknown;

const wrapped = withShiplog<Env>({ service: 'rethrow' }, {
  fetch(request, _env, _ctx, log) {
    log.set({ step: 'before-throw' });
    seen = thrown;
    throw thrown;
  },
});

export default {
  async fetch(request: Request, env: Env, ctx: WorkersExecutionContext): Promise<Response> {
    try {
      await wrapped.fetch!(request, env, ctx);
      return new Response('no error', { status: 200 });
    } catch (error) {
      return new Response(error === seen ? 'same error object' : 'different error', { status: 599 });
    }
  },
};
