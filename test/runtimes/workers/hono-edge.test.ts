/**
 * The Hono middleware in EdgeVM (Vercel Edge's runtime: no process, Buffer, setImmediate or
 * AsyncLocalStorage), proving it touches no Node API: without an executionCtx it only emits;
 * with one (as Vercel Edge gives) the request's events are delivered from its waitUntil.
 */
import { EdgeVM } from '@edge-runtime/vm';
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, test } from 'vitest';
import { testWorker, until } from './harness.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let code: string;

beforeAll(async () => {
  const result = await esbuild.build({
    entryPoints: [testWorker('hono-standalone.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__mod',
    platform: 'neutral',
    conditions: ['edge-light', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    alias: { 'shiplog/hono': `${root}src/adapters/hono.ts` },
    logLevel: 'silent',
  });
  code = result.outputFiles[0]!.text;
});

function sandbox(): { vm: EdgeVM; lines: string[]; app: { fetch: (...args: unknown[]) => Promise<Response> } } {
  const lines: string[] = [];
  const vm = new EdgeVM({
    extend: (context) => {
      const capture = (...args: unknown[]): void => void lines.push(args.map(String).join(' '));
      context.console = { ...context.console, log: capture, info: capture, warn: capture, error: capture, debug: capture };
      return context;
    },
  });
  expect(vm.evaluate('typeof process + typeof Buffer + typeof setImmediate')).toBe('undefinedundefinedundefined');
  vm.evaluate(code);
  return { vm, lines, app: vm.evaluate('__mod.default') };
}

const wideOf = (lines: string[], id: string): Record<string, unknown> | undefined =>
  lines
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((r) => r.requestId === id && 'durationMs' in r);

test('without executionCtx: c.var.log works and the wide event is written', async () => {
  const { vm, lines, app } = sandbox();
  const res = await app.fetch(new vm.context.Request('http://edge.local/items/3', { headers: { 'x-request-id': 'edge-3' } }));
  expect(await res.text()).toBe('item');
  await until(() => wideOf(lines, 'edge-3') !== undefined, 2000, 'the wide event'); // the console pipeline writes asynchronously
  expect(lines.some((l) => l.includes('"msg":"item read"'))).toBe(true);
  expect(wideOf(lines, 'edge-3')).toMatchObject({ route: '/items/:id', status: 200, item: '3' });
});

test("with an executionCtx (Vercel Edge): the events are delivered by the request's waitUntil", async () => {
  const { vm, lines, app } = sandbox();
  const handedOff: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void handedOff.push(p), passThroughOnException() {}, props: {} };
  const res = await app.fetch(new vm.context.Request('http://edge.local/fail', { headers: { 'x-request-id': 'edge-f' } }), {}, ctx);
  expect(res.status).toBe(500);
  expect(handedOff).toHaveLength(1);
  const result = (await handedOff[0]) as { ok: boolean; delivered: number };
  expect(result).toMatchObject({ ok: true, delivered: 1 });
  expect(wideOf(lines, 'edge-f')).toMatchObject({ level: 'error', route: '/fail', status: 500, error: { message: 'route failed' } });
});
