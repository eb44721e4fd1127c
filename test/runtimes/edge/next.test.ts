/**
 * shiplog/next: App Router route handlers with real Request objects, in Node (the built
 * dist/next.js) and in EdgeVM (a route module bundled with the `edge-light` condition).
 * Flush: `after`/waitUntil when there is one, else awaited before the response.
 */
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM fixture without type declarations
import { startIngestServer } from '../../../fixtures/lambda/ingest-server.mjs';
import { bundleForEdge, evaluateInEdgeVM } from './edge-vm.js';

type Json = Record<string, any>;
interface Ingest { url: string; events(): Json[]; close(): Promise<void> }

const NEXT_CONTEXT = Symbol.for('@next/request-context');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function ingest(delayMs = 300): Promise<Ingest> {
  const server = (await startIngestServer({ delayMs })) as Ingest;
  cleanups.push(() => server.close());
  return server;
}

// The built entries, as an app would import them (`shiplog/next`, `shiplog`).
const next = await import('../../../dist/next.js');
const core = await import('../../../dist/index.js');

function route(server: Ingest, options: Record<string, unknown> = {}) {
  const logger = core.createLogger({ service: 'next-app', sinks: [core.httpSink({ url: server.url })], batch: { intervalMs: 0 } });
  return next.withLogger({ logger, ...options }, async (request: Request, ctx: { params: Promise<{ id: string }> }, log) => {
    const { id } = await ctx.params;
    log.set({ order: { id } });
    log.info('order read');
    if (id === 'boom') throw new RangeError('route boom');
    return Response.json({ id, requestId: log.requestId }, { status: id === 'missing' ? 404 : 200 });
  });
}

describe('withLogger (Next.js route handlers) on Node', () => {
  it('without after/waitUntil the flush is awaited: events are delivered when the response returns', async () => {
    const server = await ingest();
    const GET = route(server);
    const response = await GET(new Request('http://localhost/api/orders/42', { headers: { 'x-request-id': 'n-1' } }), { params: Promise.resolve({ id: '42' }) });

    expect(await response.json()).toEqual({ id: '42', requestId: 'n-1' });
    expect(server.events().map((e) => e.msg)).toEqual(['order read', 'GET /api/orders/42 200']);
    expect(server.events()[1]).toMatchObject({ requestId: 'n-1', order: { id: '42' }, status: 200, service: 'next-app' });
  });

  it('passes the flush to `after` when given one, and the response does not wait for it', async () => {
    const server = await ingest();
    const later: Promise<unknown>[] = [];
    const GET = route(server, { waitUntil: (p: Promise<unknown>) => later.push(p) });
    const response = await GET(new Request('http://localhost/api/orders/7'), { params: Promise.resolve({ id: 'missing' }) });

    expect(response.status).toBe(404);
    expect(server.events()).toHaveLength(0);
    await Promise.all(later);
    expect(server.events()[1]).toMatchObject({ level: 'warn', status: 404 });
  });

  it("uses Next's request context (next start) when present", async () => {
    const server = await ingest();
    const later: Promise<unknown>[] = [];
    (globalThis as Record<symbol, unknown>)[NEXT_CONTEXT] = { get: () => ({ waitUntil: (p: Promise<unknown>) => later.push(p) }) };
    cleanups.push(() => {
      delete (globalThis as Record<symbol, unknown>)[NEXT_CONTEXT];
    });
    const GET = route(server);
    await GET(new Request('http://localhost/api/orders/8'), { params: Promise.resolve({ id: '8' }) });

    expect(later).toHaveLength(1);
    expect(server.events()).toHaveLength(0);
    await Promise.all(later);
    expect(server.events().map((e) => e.msg)).toEqual(['order read', 'GET /api/orders/8 200']);
  });

  it("accepts @vercel/functions' waitUntil as the option (it reads Vercel's request context)", async () => {
    const { waitUntil } = await import('@vercel/functions');
    const server = await ingest();
    const later: Promise<unknown>[] = [];
    const VERCEL_CONTEXT = Symbol.for('@vercel/request-context');
    (globalThis as Record<symbol, unknown>)[VERCEL_CONTEXT] = { get: () => ({ waitUntil: (p: Promise<unknown>) => later.push(p) }) };
    cleanups.push(() => {
      delete (globalThis as Record<symbol, unknown>)[VERCEL_CONTEXT];
    });
    const GET = route(server, { waitUntil });
    await GET(new Request('http://localhost/api/orders/11'), { params: Promise.resolve({ id: '11' }) });
    expect(later).toHaveLength(1);
    expect(server.events()).toHaveLength(0);
    await Promise.all(later);
    expect(server.events()).toHaveLength(2);
  });

  it('a waitUntil that throws (called outside a request) falls back to awaiting', async () => {
    const server = await ingest(20);
    const GET = route(server, {
      waitUntil: () => {
        throw new Error('`after` was called outside a request scope');
      },
    });
    await GET(new Request('http://localhost/api/orders/9'), { params: Promise.resolve({ id: '9' }) });
    expect(server.events()).toHaveLength(2);
  });

  it('rethrows the handler error unchanged after logging it as a 500', async () => {
    const server = await ingest(20);
    const GET = route(server);
    await expect(GET(new Request('http://localhost/api/orders/boom'), { params: Promise.resolve({ id: 'boom' }) })).rejects.toThrow(RangeError);
    expect(server.events()[1]).toMatchObject({ level: 'error', status: 500, error: { name: 'RangeError', message: 'route boom' } });
  });

  it('a result whose status getter throws is returned unchanged; the wide event is still written and delivered', async () => {
    const server = await ingest(20);
    const result = new Response('odd');
    Object.defineProperty(result, 'status', {
      get(): number {
        throw new Error('status getter');
      },
    });
    const logger = core.createLogger({ sinks: [core.httpSink({ url: server.url })], batch: { intervalMs: 0 } });
    const GET = next.withLogger({ logger }, async (_request: Request, _ctx: unknown, log) => {
      log.info('built an odd response');
      return result;
    });
    await expect(GET(new Request('http://localhost/api/odd', { headers: { 'x-request-id': 'odd-1' } }), {})).resolves.toBe(result);
    // No waitUntil here, so the flush was awaited before the response: everything already arrived.
    expect(server.events().map((e) => [e.requestId, e.msg])).toEqual([
      ['odd-1', 'built an odd response'],
      ['odd-1', 'GET /api/odd'],
    ]);
    expect(server.events()[1]).not.toHaveProperty('status');
  });

  it('withLogger(handler) alone creates a console logger at the first request', async () => {
    const GET = next.withLogger(async (_request: Request, _ctx: unknown, log) => {
      log.set({ plain: true });
      return new Response('ok');
    });
    const printed: string[] = [];
    const original = console.info;
    console.info = (line: string) => void printed.push(line);
    try {
      await GET(new Request('http://localhost/health'), {});
    } finally {
      console.info = original;
    }
    expect(printed.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ msg: 'GET /health 200', plain: true })]);
  });
});

describe('withLogger (Next.js route handlers) in EdgeVM', () => {
  it('runs in the edge runtime with a real edge Request and delivers through Vercel waitUntil', async () => {
    const server = await ingest();
    const { vm, exports } = evaluateInEdgeVM(await bundleForEdge('fixtures/edge/route.mjs'), { INGEST_URL: server.url });
    expect(vm.evaluate('typeof process')).toBe('undefined');
    const later: Promise<unknown>[] = [];
    vm.context.__collect = (p: Promise<unknown>) => later.push(p);
    vm.evaluate("globalThis[Symbol.for('@vercel/request-context')] = { get: () => ({ waitUntil: (p) => __collect(p) }) }");

    const response = await exports.GET(new vm.context.Request('https://app.example/orders/5'), { params: Promise.resolve({ id: '5' }) });
    expect(JSON.parse(await response.text())).toEqual({ id: '5' });
    expect(server.events()).toHaveLength(0);
    await Promise.all(later);
    expect(server.events().map((e) => e.msg)).toEqual(['order read', 'GET /orders/5 200']);

    const failing = exports.GET(new vm.context.Request('https://app.example/orders/boom'), { params: Promise.resolve({ id: 'boom' }) });
    const thrown = await failing.catch((error: unknown) => error);
    expect(thrown).toBe(vm.context.__lastThrown);
    expect(thrown.message).toBe('route boom');
    await Promise.all(later);
    expect(server.events().at(-1)).toMatchObject({ level: 'error', status: 500, order: { id: 'boom' } });
  });
});
