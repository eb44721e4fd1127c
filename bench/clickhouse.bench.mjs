// ClickHouse insert throughput (issue 13): 100k events logged through clickhouseSink into a
// private ClickHouse server (Debian's 18.16, started here exactly as the tests start it), with
// batches of 1k and 10k events, beside the Node file sink writing the same 100k events. Time is
// from the first log call until flush() resolved (ClickHouse confirmed every insert); each run
// is then checked: the table holds exactly 100k distinct event ids (FINAL), the file 100k lines.
// Skips with a clear message when clickhouse-server is not installed.
// Prints one Markdown section on stdout. Run alone: `npm run build && node bench/clickhouse.bench.mjs`
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { clickhouseInstalled, query, startClickHouse } from '../test/runtimes/clickhouse/clickhouse-server.mjs';
import { benchDist, snapshotDist } from './lib/dist-snapshot.mjs';
import { formatNumber, markdownTable, median } from './lib/stats.mjs';
import { countLines, FIELDS, MESSAGE } from './lib/workload.mjs';

const EVENTS = 100_000;
const RUNS = Number(process.env.CLICKHOUSE_BENCH_RUNS ?? 3);
const BATCHES = [1000, 10_000];
const TITLE = '## ClickHouse insert throughput (clickhouseSink vs the file sink, 100k events)';

if (!clickhouseInstalled()) {
  process.stderr.write('clickhouse-server is not installed: skipping (node scripts/setup.mjs installs it as root)\n');
  console.log(`${TITLE}\n\nSkipped: clickhouse-server is not installed on this machine (\`node scripts/setup.mjs\` installs it as root).`);
  process.exit(0);
}

const snapshot = snapshotDist();
process.env.SHIPLOG_BENCH_DIST = snapshot.dist;
const { clickhouseSink, clickhouseTableSql } = await import(pathToFileURL(join(benchDist(), 'clickhouse.js')).href);
const node = await import(pathToFileURL(join(benchDist(), 'node.js')).href);

const server = await startClickHouse();
const serverVersion = (await query(server.url, 'SELECT version()')).trim();
const rows = [];
try {
  for (const batchSize of BATCHES) {
    const times = [];
    for (let run = 0; run < RUNS; run++) {
      const table = `bench_${batchSize}_${run}`;
      await query(server.url, clickhouseTableSql({ table }));
      const log = node.createLogger({ console: false, // production: no development console lines
     
        vars: {},
        service: 'bench',
        exit: false,
        maxBufferSize: EVENTS,
        sinks: [clickhouseSink({ url: server.url, table, batch: { size: batchSize, maxBytes: 64 * 1024 * 1024, intervalMs: 0 }, maxBufferSize: EVENTS })],
      });
      const start = performance.now();
      for (let i = 0; i < EVENTS; i++) log.info(MESSAGE, FIELDS);
      const result = await log.flush({ timeoutMs: 120_000 });
      const ms = performance.now() - start;
      if (!result.ok) throw new Error(`clickhouse flush not ok: ${JSON.stringify(result)}`);
      const [count, ids] = (await query(server.url, `SELECT count(), uniqExact(event_id) FROM ${table} FINAL FORMAT TSV`)).trim().split('\t').map(Number);
      if (count !== EVENTS || ids !== EVENTS) throw new Error(`${table}: ${count} rows, ${ids} ids; expected ${EVENTS}`);
      await query(server.url, `DROP TABLE ${table}`);
      await log.shutdown();
      times.push(ms);
      process.stderr.write(`clickhouse batch ${batchSize} run ${run + 1}: ${ms.toFixed(0)} ms\n`);
    }
    const ms = median(times);
    rows.push([`clickhouseSink → ClickHouse ${serverVersion}`, formatNumber(batchSize), formatNumber(ms), formatNumber((EVENTS / ms) * 1000), 'count(), uniqExact(event_id) FINAL = 100,000']);
  }
} finally {
  await server.dispose();
}

// The file sink (Node entry defaults, one file) with the same events, for scale.
const fileTimes = [];
for (let run = 0; run < RUNS; run++) {
  const dir = mkdtempSync(join(tmpdir(), 'shiplog-ch-bench-file-'));
  const log = node.createLogger({ console: false, // production: no development console lines
      file: { dir, errorFile: false, maxSizeBytes: 2 ** 31 }, exit: false, vars: {}, service: 'bench' });
  const start = performance.now();
  for (let i = 0; i < EVENTS; i++) log.info(MESSAGE, FIELDS);
  const result = await log.shutdown({ timeoutMs: 60_000 });
  const ms = performance.now() - start;
  if (!result.ok) throw new Error(`file shutdown not ok: ${JSON.stringify(result)}`);
  const lines = readdirSync(dir).reduce((n, f) => n + countLines(readFileSync(join(dir, f), 'utf8')), 0);
  rmSync(dir, { recursive: true, force: true });
  if (lines !== EVENTS) throw new Error(`file sink wrote ${lines} lines; expected ${EVENTS}`);
  fileTimes.push(ms);
  process.stderr.write(`file run ${run + 1}: ${ms.toFixed(0)} ms\n`);
}
const fileMs = median(fileTimes);
rows.push(['file sink (Node entry) → logs/*.ndjson', '50 (default)', formatNumber(fileMs), formatNumber((EVENTS / fileMs) * 1000), '100,000 lines in the file']);
snapshot.remove();

console.log(
  [
    TITLE,
    '',
    `Median of ${RUNS} runs; time from the first log call until \`flush()\` resolved with every insert confirmed by ClickHouse (a private server on 127.0.0.1, started by the bench as the tests do). The same event as the other benches (\`${MESSAGE}\`, five fields).`,
    '',
    markdownTable(['sink', 'batch size', 'ms for 100k', 'events/s', 'checked'], rows),
    '',
    'Command: `npm run build && node bench/clickhouse.bench.mjs`',
  ].join('\n'),
);
