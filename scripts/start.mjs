// `npm start`: starts `shiplog dev` (the local collector + viewer) and drives demo traffic
// through every runtime's real fixture into it: the Worker in workerd (miniflare), the edge
// function in EdgeVM, the Lambda handlers under the freeze harness (one invocation fails), the
// browser page in Chromium (closed, so its last events leave by beacon) and a Node server
// (shiplog batches + OTLP). Each round shares one traceparent, so one click in the viewer shows
// a request across runtimes. Keeps running (a round every 5 s) until Ctrl-C.
//   npm start -- --once   one round, check that every runtime's events are in the store, exit 0/1
// PORT picks the collector's port (default 4318; the next free one when taken).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrowser, CHROMIUM } from '../fixtures/demo/browser.mjs';
import { startCollector } from '../fixtures/demo/collector.mjs';
import { startEdge } from '../fixtures/demo/edge.mjs';
import { startLambda } from '../fixtures/demo/lambda.mjs';
import { startNodeServer } from '../fixtures/demo/node-server.mjs';
import { startWorker } from '../fixtures/demo/worker.mjs';

const once = process.argv.includes('--once');
const ROUND_MS = 5000;
const ARRIVAL_TIMEOUT_MS = 30_000;
const dir = once ? mkdtempSync(join(tmpdir(), 'shiplog-dev-once-')) : '.cache/shiplog-dev';

const collector = await startCollector(['--port', process.env.PORT ?? '4318', '--dir', dir]);
const { base } = collector;

/** Starts each runtime; one that cannot start is reported and left out. */
async function startRuntimes() {
  const starters = { node: startNodeServer, workers: startWorker, edge: startEdge, lambda: startLambda, browser: startBrowser };
  const started = {};
  await Promise.all(
    Object.entries(starters).map(async ([name, start]) => {
      try {
        const runtime = await start(base);
        if (runtime === undefined) console.log(`  ${name}: skipped (no Chromium at ${CHROMIUM}; apt-get install chromium)`);
        else started[name] = runtime;
      } catch (error) {
        console.log(`  ${name}: could not start: ${error.message}`);
      }
    }),
  );
  return started;
}

/** One round of traffic through every runtime; their delivery stats go to /v1/stats. */
async function round(runtimes) {
  const traceId = randomBytes(16).toString('hex');
  const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
  for (const [name, runtime] of Object.entries(runtimes)) {
    try {
      const reports = await runtime.drive(traceparent);
      for (const report of reports) {
        await fetch(`${base}/v1/stats`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...report, runtime: name }) });
      }
    } catch (error) {
      console.log(`  ${name}: round failed: ${error.message}`);
    }
  }
  return traceId;
}

async function count(params) {
  const page = await (await fetch(`${base}/api/events?${params}&limit=500`)).json();
  return page.events.length;
}

/** What `--once` requires of each runtime, as /api/events queries. */
const CHECKS = {
  node: ['runtime=node&service=shop-api', 'runtime=node&service=payments'],
  workers: ['runtime=workers', 'runtime=workers&status=5xx'],
  edge: ['runtime=edge'],
  lambda: ['runtime=lambda', 'runtime=lambda&level=error'],
  browser: ['runtime=browser', `runtime=browser&q=${encodeURIComponent('"button clicked"')}`],
};

async function checkArrivals(names) {
  const until = Date.now() + ARRIVAL_TIMEOUT_MS;
  for (;;) {
    const results = {};
    for (const name of names) results[name] = await Promise.all(CHECKS[name].map(count));
    const missing = names.filter((name) => results[name].some((n) => n === 0));
    if (missing.length === 0 || Date.now() > until) return { results, missing };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const runtimes = await startRuntimes();
let stopping = false;
let running = Promise.resolve();
async function stop(code) {
  if (stopping) return;
  stopping = true;
  await running; // a round in progress may be starting sandboxes: let it finish, then close all
  await Promise.all(Object.values(runtimes).map((r) => r.close().catch(() => undefined)));
  collector.child.kill('SIGTERM');
  if (once) rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}

const traceId = await round(runtimes);
if (once) {
  const names = Object.keys(CHECKS);
  // A runtime that could not start is missing at once (no point waiting for its events).
  const notStarted = names.filter((name) => runtimes[name] === undefined);
  const { results, missing } = await checkArrivals(names.filter((name) => runtimes[name] !== undefined));
  missing.push(...notStarted);
  for (const name of names) {
    const line = runtimes[name] === undefined ? 'not started' : CHECKS[name].map((q, i) => `${q.replace(/^runtime=\w+&?/, '') || 'all'}: ${results[name][i]}`).join(', ');
    console.log(`  ${missing.includes(name) ? '✗' : '✓'} ${name.padEnd(8)} ${line}`);
  }
  console.log(missing.length === 0 ? 'every runtime delivered to shiplog dev (--once)' : `missing: ${missing.join(', ')}`);
  await stop(missing.length === 0 ? 0 : 1);
} else {
  console.log(`\n  open ${collector.url}`);
  console.log(`  one request across runtimes: ${collector.url.replace(/\/(\?.*)?$/, '')}/?q=traceId%3D${traceId}`);
  console.log(`  a round of traffic every ${ROUND_MS / 1000} s from: ${Object.keys(runtimes).join(', ')}. Ctrl-C stops.\n`);
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, ROUND_MS));
    if (stopping) break;
    running = round(runtimes);
    await running;
  }
}
