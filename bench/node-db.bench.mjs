// Node database sink benchmark (issue 5): rows/s into PGlite (embedded PostgreSQL, in memory)
// through `databaseSink({ adapter: pgAdapter({ client: pglite }) })`, batch strategy at a few
// batch sizes, and `immediate` for contrast. Each case logs its events in one loop, flushes,
// and counts the rows in the table (a lost row fails the run). Prints one Markdown section.
// Run alone: `npm run build && node bench/node-db.bench.mjs`
import { PGlite } from '@electric-sql/pglite';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchDist, snapshotDist } from './lib/dist-snapshot.mjs';
import { formatNumber, markdownTable, median } from './lib/stats.mjs';
import { FIELDS, MESSAGE } from './lib/workload.mjs';

const RUNS = 3;
const pgliteVersion = JSON.parse(readFileSync(new URL('../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8')).version;
const progress = (message) => process.stderr.write(`  ${message}\n`);

const snapshot = snapshotDist();
process.env.SHIPLOG_BENCH_DIST = snapshot.dist;
const out = [];
const print = (text = '') => out.push(text);
try {
  const node = await import(pathToFileURL(join(benchDist(), 'node.js')).href);
  const db = new PGlite();
  await db.exec(node.LOG_TABLE_DDL);
  const cases = [
    { strategy: 'batch', batchSize: 100, events: 50_000 },
    { strategy: 'batch', batchSize: 500, events: 50_000 },
    { strategy: 'batch', batchSize: 1000, events: 50_000 },
    { strategy: 'immediate', batchSize: 1, events: 5_000 },
  ];
  const rows = [];
  for (const c of cases) {
    const times = [];
    for (let run = 1; run <= RUNS; run++) {
      progress(`${c.strategy} batchSize ${c.batchSize}: run ${run}/${RUNS}`);
      await db.exec('TRUNCATE shiplog_events');
      const log = node.createLogger({ console: false, // production: no development console lines
     
        exit: false,
        vars: {},
        sinks: [node.databaseSink({ adapter: node.pgAdapter({ client: db }), delivery: { strategy: c.strategy, batchSize: c.batchSize, maxQueueSize: c.events } })], // the whole run fits the queue: this measures insert speed, not drops
      });
      const start = performance.now();
      for (let i = 0; i < c.events; i++) log.info(MESSAGE, { ...FIELDS, i });
      const result = await log.flush({ timeoutMs: 300_000 });
      const ms = performance.now() - start;
      await log.shutdown();
      const { rows: counted } = await db.query('SELECT count(*)::int AS n FROM shiplog_events');
      if (!result.ok || counted[0].n !== c.events) throw new Error(`expected ${c.events} rows, found ${counted[0].n} (${JSON.stringify(result)})`);
      times.push(ms);
    }
    const ms = median(times);
    rows.push([c.strategy, String(c.batchSize), formatNumber(c.events, 0), formatNumber(ms, 0), formatNumber(c.events / (ms / 1000), 0)]);
  }
  await db.close();

  print('## Node: database sink into PGlite');
  print();
  print(
    `\`databaseSink({ adapter: pgAdapter({ client: new PGlite() }) })\` (in-memory PGlite ${pgliteVersion}, one connection), events ` +
      `\`info(${JSON.stringify(MESSAGE)}, 6 fields)\` logged in one loop, then \`flush()\`; timed until the last INSERT committed. ` +
      'Each batch is one parameterized `INSERT … SELECT … FROM unnest($1, … $7) ON CONFLICT (id) DO NOTHING` (one array per column). ' +
      `Row count checked after every run; median of ${RUNS} runs.`,
  );
  print();
  print(markdownTable(['strategy', 'batchSize', 'events', 'ms (median)', 'rows/s'], rows));
  print();
  print('Command: `npm run bench` (or `npm run build && node bench/node-db.bench.mjs`).');
} finally {
  snapshot.remove();
}
process.stdout.write(`${out.join('\n')}\n`);
