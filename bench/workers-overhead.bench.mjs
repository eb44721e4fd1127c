// Workers overhead (issue 17): what `withShiplog` costs per request inside workerd.
//
// One Worker (bundled with esbuild from a snapshot of dist/, as an app would, run in workerd by
// miniflare) holds four handlers: bare (returns a Response), a hand-written console line of the
// same shape as the wide event, `withShiplog` around the bare handler, and evlog's `withEvlog`
// around it. Its `/bench?variant=…&n=…` route calls one handler n times INSIDE the isolate, each
// with a new synthetic Request and a stub ctx whose waitUntil collects promises, awaits every
// collected promise, and returns the elapsed time of the whole loop (workerd's clock is coarse,
// so only a long loop is timed). The elapsed time is also taken outside, in Node, around the
// dispatch, minus an n = 0 dispatch, in case workerd's clock does not advance inside a loop.
// Rounds rotate the variant order; µs/request are medians over rounds, differences the median
// of per-round differences. Worker stdout/stderr is drained in Node and only its newlines are
// counted (each variant's line count is checked).
// Prints one Markdown section on stdout (bench/run.mjs collects it into bench/RESULTS.md).
// Run alone: `npm run build && node bench/workers-overhead.bench.mjs`
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { repoRoot, snapshotDist } from './lib/dist-snapshot.mjs';
import { formatNumber, markdownTable, median } from './lib/stats.mjs';
import { WORKER_BUNDLE } from '../fixtures/workers/bundle-options.mjs';

const N = Number(process.env.WORKERS_OVERHEAD_N ?? 2000);
const ROUNDS = Number(process.env.WORKERS_OVERHEAD_ROUNDS ?? 7);
const TARGET_BEYOND_CONSOLE_US = 30;
// WORKERS_OVERHEAD_NODEJS_COMPAT=0 runs without nodejs_compat (no AsyncLocalStorage: getLogger() off).
const NODEJS_COMPAT = process.env.WORKERS_OVERHEAD_NODEJS_COMPAT !== '0';
const progress = (message) => process.stderr.write(`  ${message}\n`);

const VARIANTS = ['bare', 'console line', 'withShiplog', 'withShiplog, null sink', 'withEvlog'];

// Each variant gets its own copy of the loop (textually), so no call site inside the isolate is
// shared between variants and one variant's inline caches do not slow another.
const loopFor = (key, index) => `
async function loop${index}(n, env) {
  const handler = HANDLERS[${JSON.stringify(key)}];
  const pending = [];
  const waitUntil = (promise) => void pending.push(promise);
  const t0 = performance.now();
  const d0 = Date.now();
  for (let i = 0; i < n; i++) {
    const request = new Request('https://bench.example/orders/42?i=' + i, { headers: { 'cf-ray': '8f14e45fceea167a-FRA' } });
    const ctx = { waitUntil, passThroughOnException() {}, props: {} };
    const response = await handler.fetch(request, env, ctx);
    if (response.status !== 200) throw new Error(${JSON.stringify(key)} + ' answered ' + response.status);
  }
  await Promise.all(pending);
  return { perfMs: performance.now() - t0, dateMs: Date.now() - d0, waitUntil: pending.length };
}`;

const WORKER = `import { withShiplog } from 'shiplog/workers';
import { initWorkersLogger, withEvlog } from 'evlog/workers';

const okResponse = () => new Response('ok');
initWorkersLogger({ env: { service: 'bench', environment: 'production' } });

const HANDLERS = {
  bare: { fetch: () => okResponse() },
  // A wide event written by hand: the fields withShiplog's line carries, one JSON.stringify.
  'console line': {
    fetch(request) {
      const start = Date.now();
      const url = new URL(request.url);
      const response = okResponse();
      console.log(JSON.stringify({
        level: 'info', time: new Date().toISOString(), service: 'bench', msg: 'GET /orders/42',
        requestId: crypto.randomUUID(), method: request.method, path: url.pathname,
        cfRay: request.headers.get('cf-ray'), status: response.status, durationMs: Date.now() - start,
        eventId: 'b3f1c2d4e5-' + start,
      }));
      return response;
    },
  },
  withShiplog: withShiplog({ service: 'bench' }, { fetch: () => okResponse() }),
  // The same lifecycle with a sink that discards the batch: what is not the console write.
  'withShiplog, null sink': withShiplog({ service: 'bench', sinks: [{ name: 'null', write() {}, writeSync() {} }] }, { fetch: () => okResponse() }),
  withEvlog: withEvlog(() => okResponse()),
};
${VARIANTS.map((key, i) => loopFor(key, i)).join('\n')}
const LOOPS = { ${VARIANTS.map((key, i) => `${JSON.stringify(key)}: loop${i}`).join(', ')} };

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname !== '/bench') return new Response('not found', { status: 404 });
    const loop = LOOPS[url.searchParams.get('variant')];
    const n = Number(url.searchParams.get('n'));
    if (loop === undefined) return new Response('unknown variant', { status: 400 });
    try {
      return Response.json(await loop(n, env));
    } catch (error) {
      return new Response(String(error && error.stack || error), { status: 500 });
    }
  },
};
`;

/** Bundles the Worker from inside the snapshot (so `shiplog/workers` resolves to dist/). */
async function bundle(snapshot) {
  symlinkSync(join(repoRoot, 'node_modules'), join(snapshot.root, 'node_modules'));
  const entry = join(snapshot.root, 'workers-overhead-worker.mjs');
  writeFileSync(entry, WORKER);
  const result = await esbuild.build({
    entryPoints: [entry],
    ...WORKER_BUNDLE,
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return result.outputFiles[0].text;
}

/** Starts workerd; its stdout/stderr are drained and only newlines counted (and a few lines kept). */
async function start(script) {
  const output = { lines: 0, bytes: 0, samples: [] };
  const drain = (stream) => {
    let rest = '';
    stream.on('data', (chunk) => {
      const text = String(chunk);
      output.bytes += chunk.length;
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) output.lines++;
      if (output.samples.length < 50) {
        const parts = (rest + text).split('\n');
        rest = parts.pop() ?? '';
        output.samples.push(...parts.filter((l) => l.trim() !== '').slice(0, 50 - output.samples.length));
      }
    });
  };
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2025-09-01',
    compatibilityFlags: NODEJS_COMPAT ? ['nodejs_compat'] : [],
    handleRuntimeStdio(stdout, stderr) {
      drain(stdout);
      drain(stderr);
    },
  });
  await mf.ready;
  return { mf, output };
}

/** Waits (polling Node's side of workerd's stdio) until `count` lines arrived or 20 s passed. */
async function linesReach(output, count) {
  const deadline = Date.now() + 20_000;
  while (output.lines < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 100)); // and nothing more arrives
  return output.lines;
}

async function call(mf, variant, n) {
  const started = process.hrtime.bigint();
  const response = await mf.dispatchFetch(`http://bench.local/bench?variant=${encodeURIComponent(variant)}&n=${n}`);
  const body = await response.text();
  const outsideMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (response.status !== 200) throw new Error(`${variant}: ${response.status} ${body}`);
  return { ...JSON.parse(body), outsideMs };
}

const snapshot = snapshotDist();
let worker;
try {
  progress('bundling the Worker (esbuild)');
  const script = await bundle(snapshot);
  worker = await start(script);
  const { mf, output } = worker;

  // One request per variant: the line each writes (for its size) and its line count.
  const sampleLines = {};
  const linesPerRequest = {};
  const bytesPerRequest = {};
  for (const variant of VARIANTS) {
    const before = output.lines;
    const samplesBefore = output.samples.length;
    const bytesBefore = output.bytes;
    await call(mf, variant, 1);
    await linesReach(output, before + (variant.startsWith('bare') || variant.includes('null') ? 0 : 1));
    linesPerRequest[variant] = output.lines - before;
    bytesPerRequest[variant] = output.bytes - bytesBefore;
    sampleLines[variant] = output.samples.slice(samplesBefore).join('\n');
  }

  // Warm-up, then rounds with the order rotated.
  const expectedLines = () => VARIANTS.reduce((sum, v) => sum + linesPerRequest[v] * N, 0);
  progress(`warm-up (n = ${N} per variant)`);
  let linesBefore = output.lines;
  for (const variant of VARIANTS) await call(mf, variant, N);
  const results = new Map(VARIANTS.map((v) => [v, []]));
  const empties = [];
  for (let round = 0; round < ROUNDS; round++) {
    progress(`round ${round + 1}/${ROUNDS}`);
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
    empties.push((await call(mf, 'bare', 0)).outsideMs);
    for (const variant of order) results.get(variant).push(await call(mf, variant, N));
  }
  const expected = linesBefore + expectedLines() * (ROUNDS + 1);
  const got = await linesReach(output, expected);
  if (got !== expected) throw new Error(`workerd wrote ${got - linesBefore} lines during the runs, expected ${expected - linesBefore} (${JSON.stringify(linesPerRequest)} per request)`);

  // Inside the isolate when its clock moved during the loops, else outside minus an empty dispatch.
  const insideClock = VARIANTS.every((v) => results.get(v).every((r) => r.perfMs > 0));
  const emptyMs = median(empties);
  const usOf = (r) => ((insideClock ? r.perfMs : Math.max(0, r.outsideMs - emptyMs)) * 1000) / N;
  const us = Object.fromEntries(VARIANTS.map((v) => [v, median(results.get(v).map(usOf))]));
  const diff = (a, b) => median(results.get(a).map((r, i) => usOf(r) - usOf(results.get(b)[i])));
  const outsideUs = Object.fromEntries(VARIANTS.map((v) => [v, median(results.get(v).map((r) => ((r.outsideMs - emptyMs) * 1000) / N))]));
  const beyondConsole = diff('withShiplog', 'console line');

  const out = [];
  out.push('## Workers overhead per request (workerd)');
  out.push('');
  out.push(
    `One Worker in workerd (miniflare ${(await import('miniflare/package.json', { with: { type: 'json' } }).catch(() => ({ default: { version: '?' } }))).default.version}, ` +
      `compatibility_date 2025-09-01, ${NODEJS_COMPAT ? 'nodejs_compat' : 'without nodejs_compat'}), ` +
      'bundled by esbuild 0.28 from a snapshot of dist/ (`platform: browser`, conditions workerd/worker/browser, `process.env.NODE_ENV` = production). ' +
      `A route calls one handler ${formatNumber(N, 0)} times inside the isolate (new Request and stub ctx each time, every waitUntil promise awaited at the end); ` +
      `${ROUNDS} rounds after a warm-up, variant order rotated; µs are medians over rounds, differences medians of per-round differences. ` +
      (insideClock
        ? 'Timed inside the isolate with `performance.now()` around the whole loop.'
        : `workerd's clock did not advance inside the loop, so the time is taken in Node around the dispatch minus an empty (n = 0) dispatch (${formatNumber(emptyMs)} ms).`) +
      ' Worker stdout/stderr is drained in Node (newlines counted; every request\'s line checked).',
  );
  out.push('');
  out.push(
    markdownTable(
      ['handler', 'µs/request', 'minus bare', 'minus console line', 'stdout lines/request', 'stdout bytes/request', 'outside (µs/request, Node clock)'],
      VARIANTS.map((v) => [
        v,
        formatNumber(us[v]),
        v === 'bare' ? '–' : formatNumber(diff(v, 'bare')),
        v === 'bare' || v === 'console line' ? '–' : formatNumber(diff(v, 'console line')),
        String(linesPerRequest[v]),
        String(bytesPerRequest[v]),
        formatNumber(outsideUs[v]),
      ]),
    ),
  );
  out.push('');
  out.push(
    `Target withShiplog ≤ ${TARGET_BEYOND_CONSOLE_US} µs per request beyond the console line: ` +
      `${beyondConsole <= TARGET_BEYOND_CONSOLE_US ? '**met**' : '**missed**'} (${formatNumber(beyondConsole)} µs).`,
  );
  out.push('');
  out.push('- bare: `fetch: () => new Response(\'ok\')`');
  out.push('- console line: the bare handler plus one hand-written `console.log(JSON.stringify({...}))` with the wide event\'s fields (time, requestId from `crypto.randomUUID()`, method, path, cf-ray, status, duration, eventId)');
  out.push("- withShiplog: `withShiplog({ service: 'bench' }, { fetch: () => new Response('ok') })` from `shiplog/workers` (default sinks: console JSON lines, no endpoint)");
  out.push('- withShiplog, null sink: the same with `sinks: [{ name: \'null\', write() {}, writeSync() {} }]`: the wrapper, request logger, wide event and pipeline without the console write');
  out.push("- withEvlog: `withEvlog(() => new Response('ok'))` from `evlog/workers` after `initWorkersLogger({ env: { service: 'bench', environment: 'production' } })`. evlog's Workers entry forces `stringify: false`: it passes the event object to `console.log` (Workers Logs indexes objects), so workerd formats it, over several lines locally");
  out.push('');
  out.push('<details><summary>what each handler writes to stdout per request</summary>');
  out.push('');
  out.push('```');
  for (const v of VARIANTS) out.push(`${v}:\n${sampleLines[v] || '(nothing)'}`);
  out.push('```');
  out.push('');
  out.push('</details>');
  out.push('');
  out.push('Command: `npm run build && node bench/workers-overhead.bench.mjs`');
  console.log(out.join('\n'));
} finally {
  await worker?.mf.dispose();
  snapshot.remove();
}
