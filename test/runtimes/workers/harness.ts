/**
 * Test harness: bundle a Worker, run it in workerd (miniflare), capture its console lines, and
 * a local ingest server that records what arrives and can answer slowly, fail, or hang.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { afterEach } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Bundles a Worker entry with `shiplog/*` resolved to this checkout's sources. */
export async function bundleWorker(entry: string, define: Record<string, string> = {}): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    external: ['node:*', 'cloudflare:*'],
    alias: {
      'shiplog/workers': `${root}runtimes/workers/index.ts`,
      'shiplog/hono': `${root}src/adapters/hono.ts`,
    },
    define: Object.fromEntries(Object.entries(define).map(([k, v]) => [k, JSON.stringify(v)])),
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export const fixtureEntry = `${root}fixtures/workers/src/index.ts`;
export const testWorker = (name: string): string => fileURLToPath(new URL(`./workers/${name}`, import.meta.url));

/** One request that reached the ingest server. */
export interface Arrival {
  at: number;
  body: string;
  events: Record<string, unknown>[];
}

/** How the ingest server answers the n-th request (0-based): a status, or 'hang' (never answers). */
export type IngestBehavior = (n: number, body: string) => number | 'hang' | Promise<number>;

export interface Ingest {
  url: string;
  arrivals: Arrival[];
  /** Every event received, in order of arrival. */
  events(): Record<string, unknown>[];
  /** Number of requests seen (answered or not). */
  requests: number;
  /** Requests left hanging whose client gave up (closed the connection). */
  abandoned: number;
  behave(behavior: IngestBehavior): void;
  close(): Promise<void>;
}

export async function startIngest(): Promise<Ingest> {
  let behavior: IngestBehavior = () => 200;
  const hanging = new Set<http.ServerResponse>();
  const ingest: Ingest = {
    url: '',
    arrivals: [],
    requests: 0,
    abandoned: 0,
    events: () => ingest.arrivals.flatMap((a) => a.events),
    behave: (b) => {
      behavior = b;
    },
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', async () => {
      const n = ingest.requests++;
      const answer = await behavior(n, body);
      if (answer === 'hang') {
        hanging.add(res);
        res.on('close', () => {
          if (hanging.delete(res)) ingest.abandoned++;
        });
        return;
      }
      if (answer >= 200 && answer < 300) {
        ingest.arrivals.push({ at: Date.now(), body, events: JSON.parse(body) as Record<string, unknown>[] });
      }
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(String(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ingest.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`;
  return ingest;
}

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
export function stopAfterEachTest(): { startIngest: typeof startIngest; startWorker: typeof startWorker } {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });
  return {
    startIngest: async () => {
      const ingest = await startIngest();
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
