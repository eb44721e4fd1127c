/**
 * Test harness: bundle a Worker, run it in workerd (miniflare) and capture its console lines;
 * the ingest server is the shared one (test/ingest-server.ts).
 */
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { afterEach } from 'vitest';
import { startIngestServer } from '../../ingest-server.js';
import { WORKER_BUNDLE } from '../../../fixtures/workers/bundle-options.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Bundles a Worker entry with `shiplog/*` resolved to this checkout's sources. */
export async function bundleWorker(entry: string, define: Record<string, string> = {}): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [entry],
    ...WORKER_BUNDLE,
    alias: {
      'shiplog/workers': `${root}runtimes/workers/index.ts`,
      'shiplog/hono': `${root}src/adapters/hono.ts`,
    },
    define: Object.fromEntries(Object.entries(define).map(([k, v]) => [k, JSON.stringify(v)])),
  });
  return result.outputFiles[0]!.text;
}

export const fixtureEntry = `${root}fixtures/workers/src/index.ts`;
export const testWorker = (name: string): string => fileURLToPath(new URL(`./workers/${name}`, import.meta.url));

export { startIngestServer as startIngest, type IngestServer as Ingest } from '../../ingest-server.js';

export interface RunningWorker {
  mf: Miniflare;
  /** Every line the Worker wrote to stdout/stderr. */
  lines: string[];
  /** Lines that are JSON objects, parsed. */
  records(): Record<string, unknown>[];
  dispose(): Promise<void>;
}

/** Starts `script` (bundled ESM) in workerd. */
export async function startWorker(
  script: string,
  options: { bindings?: Record<string, string>; flags?: string[] } & Partial<MiniflareOptions> = {},
): Promise<RunningWorker> {
  const lines: string[] = [];
  const collect = (stream: NodeJS.ReadableStream): void => {
    let rest = '';
    stream.on('data', (chunk: Buffer | string) => {
      const parts = (rest + String(chunk)).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l.trim() !== ''));
    });
  };
  const { bindings, flags, ...rest } = options;
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2025-09-01',
    compatibilityFlags: flags ?? ['nodejs_compat'],
    bindings: bindings ?? {},
    handleRuntimeStdio(stdout, stderr) {
      collect(stdout);
      collect(stderr);
    },
    ...rest,
  } as MiniflareOptions);
  await mf.ready;
  return {
    mf,
    lines,
    records: () =>
      lines.flatMap((line) => {
        const start = line.indexOf('{');
        if (start < 0) return [];
        try {
          return [JSON.parse(line.slice(start)) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    dispose: () => mf.dispose(),
  };
}

/**
 * For a test file whose tests each start their own Worker and ingest server: returns starters
 * whose Workers and servers are stopped after each test (Workers first).
 */
export function stopAfterEachTest(): { startIngest: typeof startIngestServer; startWorker: typeof startWorker } {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });
  return {
    startIngest: async (behaviour) => {
      const ingest = await startIngestServer(behaviour);
      stops.push(() => ingest.close());
      return ingest;
    },
    startWorker: async (script, options) => {
      const worker = await startWorker(script, options);
      stops.push(() => worker.dispose());
      return worker;
    },
  };
}

/** Polls `condition` until it holds or `timeoutMs` passes (we are waiting on another process). */
export async function until(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
