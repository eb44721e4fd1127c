import { join } from 'node:path';
import { EdgeVM } from '@edge-runtime/vm';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM fixture without types
import { startDemoServer } from '../../../fixtures/browser/server.mjs';
import { assertBuilt, DIST, waitFor } from './harness.js';

/** Bundles `source` (imports resolved against dist/) into a script that sets `globalThis.__mod`. */
async function iife(source: string): Promise<string> {
  const result = await esbuild.build({
    stdin: { contents: source, resolveDir: DIST, loader: 'js' },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__mod',
    target: 'es2022',
    platform: 'neutral',
  });
  return result.outputFiles[0]?.text as string;
}

const INGEST_APP = `
  import { createIngestHandler } from './ingest.js';
  import { createLogger } from './index.js';
  import { memorySink } from './testing.js';
  const sink = memorySink();
  const logger = createLogger({ sinks: [sink] });
  export const handler = createIngestHandler({ logger, maxBodyBytes: 1000 });
  export const records = () => logger.flush().then(() => sink.records());
`;

beforeAll(() => assertBuilt());

describe('the browser entry outside a page', () => {
  let demo: { url: string; received: Record<string, unknown>[]; close(): Promise<void> };
  beforeAll(async () => {
    demo = await startDemoServer({ dist: DIST });
  });
  afterAll(() => demo?.close());

  it('imports and logs on Node (server-side rendering) without touching window or document', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const mod = await import(join(DIST, 'browser.js'));
    expect(mod.RUNTIME).toBe('browser');
    const log = mod.createLogger({ endpoint: `${demo.url}/ingest`, batch: { size: 10, intervalMs: 0 } });
    log.info('rendered on the server', { ssr: true });
    const result = await log.flush({ timeoutMs: 5000 });
    expect(result).toMatchObject({ ok: true, delivered: 1 });
    await waitFor(() => demo.received.some((r) => r.ssr === true), undefined, 'the SSR event');
    const event = demo.received.find((r) => r.ssr === true) as Record<string, unknown>;
    expect(event.session).toBeUndefined(); // no page: no session, page URL or user agent fields
    expect(event.source).toBe('browser');
    await log.shutdown();
  });

  it('evaluates in EdgeVM (no Node globals) and logs there', async () => {
    const vm = new EdgeVM();
    vm.evaluate(await iife(`export * from './browser.js';`));
    expect(vm.evaluate('typeof process')).toBe('undefined');
    expect(vm.evaluate('__mod.RUNTIME')).toBe('browser');
    const stored = vm.evaluate(`(() => {
      const sink = { name: 'mem', batch: { size: 1, intervalMs: 0 }, lines: [], write(batch) { for (const e of batch) this.lines.push(e.line); } };
      const log = __mod.createLogger({ sinks: [sink] });
      log.info('from the edge');
      return log.flush().then(() => sink.lines);
    })()`) as Promise<string[]>;
    const lines = await stored;
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'info', msg: 'from the edge' });
  });
});

describe('the ingest handler on other runtimes', () => {
  it('runs in EdgeVM (Vercel Edge): accepts, validates and caps bodies', async () => {
    const vm = new EdgeVM();
    vm.evaluate(await iife(INGEST_APP));
    const handler = vm.evaluate('__mod.handler') as (request: Request) => Promise<Response>;
    const post = (body: string): Promise<Response> =>
      handler(new vm.context.Request('http://edge.local/ingest', { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body }));
    expect((await post('[{"level":"warn","msg":"from edge","n":1}]')).status).toBe(204);
    expect((await post('[{"level":"warn"')).status).toBe(400);
    expect((await post(`["${'x'.repeat(2000)}"]`)).status).toBe(413);
    const records = await (vm.evaluate('__mod.records()') as Promise<Record<string, unknown>[]>);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ level: 'warn', msg: 'from edge', n: 1, source: 'browser' });
  });

  it('runs in workerd (Cloudflare Workers) through miniflare', async () => {
    const worker = (
      await esbuild.build({
        stdin: {
          contents: `
            import { createIngestHandler } from './ingest.js';
            import { createLogger, consoleSink } from './index.js';
            export default {
              async fetch(request) {
                const logger = createLogger({ sinks: [consoleSink()] });
                const response = await createIngestHandler({ logger, rateLimit: false })(request);
                await logger.flush();
                return response;
              },
            };`,
          resolveDir: DIST,
          loader: 'js',
        },
        bundle: true,
        write: false,
        format: 'esm',
        target: 'es2022',
        platform: 'neutral',
      })
    ).outputFiles[0]?.text as string;
    const lines: string[] = [];
    const mf = new Miniflare({
      modules: true,
      script: worker,
      compatibilityDate: '2025-09-01',
      handleRuntimeStdio(stdout, stderr) {
        stdout.on('data', (d: Buffer) => lines.push(...String(d).split('\n').filter(Boolean)));
        stderr.on('data', (d: Buffer) => lines.push(...String(d).split('\n').filter(Boolean)));
      },
    });
    try {
      const ok = await mf.dispatchFetch('http://worker.local/ingest', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'worker-test' },
        body: '[{"level":"error","msg":"from workerd","code":7}]',
      });
      expect(ok.status).toBe(204);
      const bad = await mf.dispatchFetch('http://worker.local/ingest', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toBe('{"error":"not-an-array"}');
      await waitFor(() => lines.some((l) => l.includes('from workerd')), undefined, 'the console line');
      const event = JSON.parse(lines.find((l) => l.includes('from workerd')) as string);
      expect(event).toMatchObject({ level: 'error', msg: 'from workerd', code: 7, source: 'browser', userAgent: 'worker-test' });
      expect(event.clientIp).toBe('127.0.0.1'); // cf-connecting-ip, trusted because the request has the `cf` object Cloudflare adds
    } finally {
      await mf.dispose();
    }
  });
});
