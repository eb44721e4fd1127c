// `shiplog dev` store benchmark (issue 15): 1,000,000 wide events (5 services, 5 runtimes,
// 40 routes, request ids, nested user fields) inserted in batches of 1000 into the embedded
// store (NDJSON segment files + in-memory typed-column index), then the first page (100 events)
// of several filtered queries, each the median of 5 runs, and the process's RSS. The target:
// every first page in <= 300 ms with 1M events stored, memory bounded.
// The candidate it was chosen over, PGlite (embedded Postgres, in memory, indexed columns + jsonb),
// runs the same events and filters in a child process (its own RSS) at PGLITE_EVENTS (default
// 100,000: at ~3,000 inserts/s a million takes minutes); PGLITE_EVENTS=0 skips it.
// Run alone: `npm run build && node bench/dev-store.bench.mjs` (EVENTS=… to change the count).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventStore, parseQuery } from '../dist/dev.js';
import { formatNumber, markdownTable, median } from './lib/stats.mjs';

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const PGLITE_EVENTS = Number(process.env.PGLITE_EVENTS ?? 100_000);
const BATCH = 1000;
const TARGET_MS = 300;
const SERVICES = ['checkout', 'orders', 'edge-shop', 'fixture-worker', 'web'];
const RUNTIMES = ['node', 'lambda', 'edge', 'workers', 'browser'];
const LEVELS = ['debug', 'info', 'info', 'info', 'info', 'info', 'warn', 'error'];

function rssMb() {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (name) => Number(/\d+/.exec(status.split('\n').find((l) => l.startsWith(name)) ?? '0')[0]);
  return { rss: kb('VmRSS:') / 1024, peak: kb('VmHWM:') / 1024 };
}

/** A deterministic wide event number `n` (time spread over the last 24 h, oldest first). */
function event(n, start, total = EVENTS) {
  const level = LEVELS[n % LEVELS.length];
  const route = `/api/${['orders', 'users', 'cart', 'search'][n % 4]}/${n % 10}`;
  return {
    level,
    time: new Date(start + n * (86_400_000 / total)).toISOString(),
    service: SERVICES[n % SERVICES.length],
    runtime: RUNTIMES[(n >> 3) % RUNTIMES.length],
    msg: `GET ${route} ${level === 'error' ? 500 : 200}`,
    eventId: `bench-${n}`,
    requestId: `req-${Math.floor(n / 3).toString(36)}`,
    method: 'GET',
    path: route,
    status: level === 'error' ? 500 : level === 'warn' ? 404 : 200,
    durationMs: (n % 997) / 10,
    user: { id: n % 5000, plan: n % 7 === 0 ? 'pro' : 'free' },
    cart: { items: n % 9, total: (n % 300) + 0.5 },
    ...(n % 100_000 === 12_345 ? { note: 'needle-in-a-haystack' } : {}),
  };
}

/** PGlite with the same events and filters; prints one JSON line (run as a child: its own RSS). */
async function pgliteChild() {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite();
  await db.exec(`create table events (seq bigserial primary key, time timestamptz, level smallint, service text, runtime text, route text, status smallint, event_id text unique, body jsonb, line text);
    create index on events (level, seq desc); create index on events (service, seq desc); create index on events (runtime, seq desc);
    create index on events (route, seq desc); create index on events (status, seq desc); create index on events (time);`);
  const start = Date.now() - 86_400_000;
  const began = performance.now();
  for (let n = 0; n < PGLITE_EVENTS; n += BATCH) {
    const batch = [];
    for (let k = n; k < Math.min(PGLITE_EVENTS, n + BATCH); k++) batch.push(event(k, start, PGLITE_EVENTS));
    await db.query(
      `insert into events (time, level, service, runtime, route, status, event_id, body, line)
       select (e->>'time')::timestamptz, case e->>'level' when 'debug' then 1 when 'info' then 2 when 'warn' then 3 else 4 end,
              e->>'service', e->>'runtime', e->>'path', (e->>'status')::smallint, e->>'eventId', e, e::text
       from jsonb_array_elements($1::jsonb) e on conflict (event_id) do nothing`,
      [JSON.stringify(batch)],
    );
  }
  const insertMs = performance.now() - began;
  const queries = [
    ['level=error', 'select line from events where level >= 4 order by seq desc limit 100'],
    ['service=orders', "select line from events where service = 'orders' order by seq desc limit 100"],
    ['field user.plan=pro', "select line from events where body->'user'->>'plan' = 'pro' order by seq desc limit 100"],
    ['requestId=… (oldest: full scan)', "select line from events where body->>'requestId' = 'req-1' order by seq desc limit 100"],
    ['free text (full scan)', "select line from events where line like '%needle-in-a-haystack%' order by seq desc limit 100"],
  ];
  const results = [];
  for (const [name, sql] of queries) {
    const times = [];
    for (let run = 0; run < 3; run++) {
      const t = performance.now();
      await db.query(sql);
      times.push(performance.now() - t);
    }
    results.push([name, median(times)]);
  }
  console.log(JSON.stringify({ insertMs, results, rss: rssMb() }));
}

if (process.argv[2] === '--pglite') {
  await pgliteChild();
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'shiplog-dev-bench-'));
try {
  const store = new EventStore({ dir, maxEvents: EVENTS });
  const start = Date.now() - 86_400_000;
  const began = performance.now();
  for (let n = 0; n < EVENTS; n += BATCH) {
    const batch = [];
    for (let k = n; k < Math.min(EVENTS, n + BATCH); k++) batch.push(event(k, start));
    store.insert(batch);
  }
  const insertMs = performance.now() - began;
  if (store.stats().events !== EVENTS) throw new Error(`stored ${store.stats().events} of ${EVENTS}`);
  globalThis.gc?.();
  const afterInsert = rssMb();

  const old = new Date(start + 3_600_000).toISOString();
  const filters = [
    ['no filter', ''],
    ['level=error', 'level=error'],
    ['service=orders', 'service=orders'],
    ['runtime=edge & status=5xx', 'runtime=edge&status=5xx'],
    ['route=/api/cart/2', 'route=%2Fapi%2Fcart%2F2'],
    ['field user.plan=pro', 'q=user.plan%3Dpro'],
    ['requestId=… (3 events, newest)', `q=requestId%3Dreq-${Math.floor((EVENTS - 10) / 3).toString(36)}`],
    ['requestId=… (3 events, oldest: full scan)', 'q=requestId%3Dreq-1'],
    ['free text "needle-in-a-haystack" (10 hits, full scan)', 'q=needle-in-a-haystack'],
    ['free text "GET /api/users" & level>=warn', 'q=%22GET%20%2Fapi%2Fusers%22&level=warn'],
    ['time range: first hour of the 24 h', `since=${encodeURIComponent(new Date(start).toISOString())}&until=${encodeURIComponent(old)}`],
  ];
  const rows = [];
  let worst = 0;
  for (const [name, params] of filters) {
    const times = [];
    let page;
    for (let run = 0; run < 5; run++) {
      const t = performance.now();
      page = store.query(parseQuery(new URLSearchParams(params)), { limit: 100 });
      times.push(performance.now() - t);
    }
    const ms = median(times);
    worst = Math.max(worst, ms);
    rows.push([name, formatNumber(ms), String(page.events.length), formatNumber(page.scanned, 0), page.partial ? 'yes' : 'no']);
  }
  const afterQueries = rssMb();
  const stats = store.stats();
  store.close();
  let pglite = [];
  if (PGLITE_EVENTS > 0) {
    const out = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--pglite'], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop());
    pglite = [
      '',
      `### The alternative measured: PGlite (in-memory, indexed columns + jsonb) at ${formatNumber(PGLITE_EVENTS, 0)} events`,
      '',
      `Insert: **${formatNumber(PGLITE_EVENTS / (out.insertMs / 1000), 0)} events/s**; RSS ${formatNumber(out.rss.rss, 0)} MB (peak ${formatNumber(out.rss.peak, 0)} MB), with ${formatNumber((PGLITE_EVENTS / EVENTS) * 100, 0)}% of the events.`,
      '',
      markdownTable(['filter', `first page ms at ${formatNumber(PGLITE_EVENTS, 0)}`], out.results.map(([name, ms]) => [name, formatNumber(ms)])),
      '',
      'Full scans (a rare request id, free text) grow linearly with the event count. The NDJSON store is the default.',
    ];
  }
  console.log(
    [
      '## shiplog dev: embedded store at 1M events',
      '',
      `${formatNumber(EVENTS, 0)} events (${formatNumber(stats.segments, 0)} segment files) inserted in batches of ${BATCH}: **${formatNumber(EVENTS / (insertMs / 1000), 0)} events/s** (${formatNumber(insertMs / 1000)} s).`,
      `RSS after insert ${formatNumber(afterInsert.rss, 0)} MB, after the queries ${formatNumber(afterQueries.rss, 0)} MB, peak ${formatNumber(afterQueries.peak, 0)} MB (index ${formatNumber(stats.indexBytes / 1048576, 0)} MB).`,
      '',
      `First page (100 newest matching events), median of 5; target <= ${TARGET_MS} ms: ${worst <= TARGET_MS ? 'met' : '**missed**'} (worst ${formatNumber(worst)} ms).`,
      '',
      markdownTable(['filter', 'first page ms', 'events', 'scanned', 'partial (budget hit)'], rows),
      '',
      'A scan stops at one page or at its 250 ms budget (then `partial`, and the viewer continues from `next`).',
      ...pglite,
    ].join('\n'),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
