/**
 * Fetch handlers whose result workerd cannot send: a value that is not a Response (workerd
 * answers 500), and a Response whose body stream errors after the handler returned.
 */
import { withShiplog } from 'shiplog/workers';

export default withShiplog({ service: 'odd-results' }, {
  fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === '/null') return null as unknown as Response;
    if (path === '/object') return { ok: true } as unknown as Response;
    if (path === '/stream-error') {
      const body = new ReadableStream({
        pull(controller) {
          controller.enqueue(new TextEncoder().encode('partial'));
          controller.error(new Error('body stream broke'));
        },
      });
      return new Response(body);
    }
    return new Response('ok');
  },
});
