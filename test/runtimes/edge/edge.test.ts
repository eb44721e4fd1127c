/**
 * The Vercel Edge entry, for real: the built dist/edge.js is bundled with a user's Edge
 * function and evaluated in EdgeVM (no process, Buffer, setImmediate, require; eval throws),
 * so any Node API touched at import or per request fails the test. Delivery is checked at a
 * local ingest server that answers slowly, so "awaited" and "handed to waitUntil" differ.
 */
import { EdgeRuntime, runServer } from 'edge-runtime';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM fixture without type declarations
import { startIngestServer } from '../../../fixtures/lambda/ingest-server.mjs';
import { bundleForEdge, evaluateInEdgeVM } from './edge-vm.js';

type Json = Record<string, any>;
interface Ingest { url: string; events(): Json[]; close(): Promise<void> }

const INGEST_DELAY_MS = 300;
let functionBundle: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  functionBundle = await bundleForEdge('fixtures/edge/function.mjs');
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function ingest(): Promise<Ingest> {
  const server = (await startIngestServer({ delayMs: INGEST_DELAY_MS })) as Ingest;
  cleanups.push(() => server.close());
  return server;
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

describe('shiplog/edge in EdgeVM', () => {
  it('the built edge entry evaluates without any Node API, and the edge-light condition picks it', async () => {
    const whole = await bundleForEdge('dist/edge.js');
    const { vm, exports } = evaluateInEdgeVM(whole);
    expect(vm.evaluate('[typeof process, typeof Buffer, typeof setImmediate, typeof require]')).toEqual(['undefined', 'undefined', 'undefined', 'undefined']);
    expect(() => vm.evaluate('eval("1")')).toThrow();
    expect(exports.RUNTIME).toBe('edge');
    expect(typeof exports.withShiplog).toBe('function');
    expect(evaluateInEdgeVM(functionBundle, { INGEST_URL: 'http://127.0.0.1:9/' }).exports.RUNTIME).toBe('edge');
  });

  it('hands the flush to the context waitUntil: the response comes first, the events follow', async () => {
    const server = await ingest();
    const { vm, exports, lines } = evaluateInEdgeVM(functionBundle, { INGEST_URL: server.url });
    const waited: Promise<unknown>[] = [];
    const request = new vm.context.Request('https://shop.example/cart/price?cart=c-7', { headers: { 'x-request-id': 'edge-req-1' } });
    const response = await exports.default(request, { waitUntil: (p: Promise<unknown>) => waited.push(p) });

    expect(response.status).toBe(202);
    expect(JSON.parse(await response.text())).toEqual({ requestId: 'edge-req-1' });
    expect(waited).toHaveLength(1);
    expect(server.events()).toHaveLength(0); // not awaited: the ingest is still answering
    const [result] = await Promise.all(waited);
    // The flush counts what it delivered; a console line written before it began is not in its count.
    // What arrived (2 events at the ingest, 2 console lines) is asserted below.
    expect(result).toMatchObject({ ok: true, dropped: 0, pending: 0, timedOut: false });
    expect(server.events().map((e) => e.msg)).toEqual(['pricing cart', 'GET /cart/price 202']);
    expect(server.events()[1]).toMatchObject({ service: 'edge-shop', requestId: 'edge-req-1', status: 202, method: 'GET', path: '/cart/price', cart: { id: 'c-7' } });
    expect(lines.map((l) => [l.method, JSON.parse(l.text).msg])).toEqual([['info', 'pricing cart'], ['info', 'GET /cart/price 202']]);
  });

  it("uses Vercel's request context (globalThis[Symbol.for('@vercel/request-context')]) when the handler has no context", async () => {
    const server = await ingest();
    const { vm, exports } = evaluateInEdgeVM(functionBundle, { INGEST_URL: server.url });
    const waited: Promise<unknown>[] = [];
    vm.context.__collect = (p: Promise<unknown>) => waited.push(p);
    vm.evaluate("globalThis[Symbol.for('@vercel/request-context')] = { get: () => ({ waitUntil: (p) => __collect(p) }) }");
    const response = await exports.default(new vm.context.Request('https://shop.example/cart?cart=c-8'));

    expect(response.status).toBe(202);
    expect(waited).toHaveLength(1);
    expect(server.events()).toHaveLength(0);
    await Promise.all(waited);
    expect(server.events().map((e) => e.msg)).toEqual(['pricing cart', 'GET /cart 202']);
  });

  it('without any waitUntil, the flush is awaited before the response is returned', async () => {
    const server = await ingest();
    const { vm, exports } = evaluateInEdgeVM(functionBundle, { INGEST_URL: server.url });
    const started = Date.now();
    const response = await exports.default(new vm.context.Request('https://shop.example/cart?cart=c-9'));

    expect(response.status).toBe(202);
    expect(Date.now() - started).toBeGreaterThanOrEqual(INGEST_DELAY_MS - 5);
    expect(server.events().map((e) => e.msg)).toEqual(['pricing cart', 'GET /cart 202']);
  });

  it('a thrown error is logged as a 500 wide event and rethrown unchanged', async () => {
    const server = await ingest();
    const { vm, exports } = evaluateInEdgeVM(functionBundle, { INGEST_URL: server.url });
    const thrown = await exports.default(new vm.context.Request('https://shop.example/boom')).catch((error: unknown) => error);
    expect(thrown).toBe(vm.context.__lastThrown);
    expect(thrown.message).toBe('edge boom');
    expect(server.events()[1]).toMatchObject({ level: 'error', status: 500, path: '/boom', error: { name: 'TypeError', message: 'edge boom' } });
  });
});

describe('Hono inside the edge wrapper', () => {
  it('one wide event per request: the Hono middleware adds to the wrapper\'s request logger', async () => {
    const server = await ingest();
    const { vm, exports } = evaluateInEdgeVM(await bundleForEdge('fixtures/edge/hono.mjs'), { INGEST_URL: server.url });
    const waited: Promise<unknown>[] = [];
    const context = { waitUntil: (p: Promise<unknown>) => waited.push(p) };
    const ok = await exports.default(new vm.context.Request('https://api.example/items/9', { headers: { 'x-request-id': 'h-1' } }), context);
    expect(ok.status).toBe(200);
    const failed = await exports.default(new vm.context.Request('https://api.example/fail', { headers: { 'x-request-id': 'h-2' } }), context);
    expect(failed.status).toBe(500); // Hono turned the error into a response
    await Promise.all(waited);

    const events = server.events();
    expect(events.filter((e) => e.requestId === 'h-1').map((e) => e.msg)).toEqual(['item read', 'GET /items/9 200']);
    expect(events.find((e) => e.msg === 'GET /items/9 200')).toMatchObject({ route: '/items/:id', status: 200, service: 'hono-edge' });
    const wideFailure = events.filter((e) => e.requestId === 'h-2');
    expect(wideFailure).toHaveLength(1);
    expect(wideFailure[0]).toMatchObject({ level: 'error', status: 500, route: '/fail', error: { message: 'hono boom' } });
  });
});

describe('Next.js middleware on the edge', () => {
  it('logs requests the middleware lets through (no status) and answers itself, via event.waitUntil', async () => {
    const server = await ingest();
    const { vm, exports } = evaluateInEdgeVM(await bundleForEdge('fixtures/edge/middleware.mjs'), { INGEST_URL: server.url });
    const waited: Promise<unknown>[] = [];
    const event = { waitUntil: (p: Promise<unknown>) => waited.push(p) };
    expect(await exports.middleware(new vm.context.Request('https://app.example/products'), event)).toBeUndefined();
    const blocked = await exports.middleware(new vm.context.Request('https://app.example/admin'), event);
    expect(blocked.status).toBe(403);
    await Promise.all(waited);
    const [through, answered] = server.events();
    expect(through).toMatchObject({ msg: 'GET /products', level: 'info', geo: { region: 'eu' } });
    expect(through).not.toHaveProperty('status');
    expect(answered).toMatchObject({ msg: 'GET /admin 403', level: 'warn', status: 403 });
  });
});

describe('shiplog/edge in the edge-runtime server', () => {
  it('delivers through event.waitUntil after the response was sent', async () => {
    const server = await ingest();
    const initialCode = `${functionBundle}
      addEventListener('fetch', (event) => {
        event.respondWith(__mod.default(event.request, { waitUntil: (p) => event.waitUntil(p) }));
      });`;
    const printed: string[] = [];
    const edgeConsole = { info: (line: string) => printed.push(line), debug: () => {}, warn: () => {}, error: () => {}, log: () => {} };
    const runtime = new EdgeRuntime({ initialCode, extend: (context) => Object.assign(context, { INGEST_URL: server.url, console: edgeConsole }) });
    const edge = await runServer({ runtime, port: 0, host: '127.0.0.1' });
    cleanups.push(() => edge.close());

    const response = await fetch(`${edge.url}orders/checkout?cart=c-10`, { headers: { 'x-request-id': 'srv-1' } });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ requestId: 'srv-1' });
    expect(server.events()).toHaveLength(0); // the response did not wait for delivery

    const results = (await edge.waitUntil()).flat();
    expect(results).toEqual([expect.objectContaining({ ok: true, dropped: 0, pending: 0, timedOut: false })]);
    await until(() => server.events().length === 2);
    expect(server.events().map((e) => e.msg)).toEqual(['pricing cart', 'GET /orders/checkout 202']);
    expect(server.events()[1]).toMatchObject({ requestId: 'srv-1', cart: { id: 'c-10' }, status: 202 });
    expect(printed.map((line) => JSON.parse(line).msg)).toEqual(['pricing cart', 'GET /orders/checkout 202']);
  });
});
