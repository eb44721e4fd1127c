// Flush round trips (issue 17): `await log.flush()` with 1,000 pending events, `httpSink` to
// shiplog's own ingest (createIngestHandler behind node:http on loopback). Counts the requests
// and times the flush. "Before" reproduces the old rule (batch.size 50 is also the most a
// batch holds while flushing) by setting the size on the sink, where it stays a limit.
// Every run checks that the ingest stored all 1,000 events once.
// Run alone: `npm run build && node bench/flush-round-trips.bench.mjs`
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchDist, snapshotDist } from './lib/dist-snapshot.mjs';
import { formatNumber, markdownTable, median } from './lib/stats.mjs';
import { FIELDS, MESSAGE } from './lib/workload.mjs';

const RUNS = 7;
const EVENTS = 1000;
const progress = (message) => process.stderr.write(`  ${message}\n`);
const snapshot = snapshotDist();
process.env.SHIPLOG_BENCH_DIST = snapshot.dist;
const out = [];
const print = (text = '') => out.push(text);

try {
  const core = await import(pathToFileURL(join(benchDist(), 'index.js')).href);
  const { createIngestHandler } = await import(pathToFileURL(join(benchDist(), 'ingest.js')).href);
  let stored = 0;
  const store = { name: 'count', write: (batch) => void (stored += batch.length), writeSync: (batch) => void (stored += batch.length) };
  const ingestLogger = core.createLogger({ vars: {}, sinks: [store], maxBufferSize: 100_000 });
  const ingest = createIngestHandler({ logger: ingestLogger, rateLimit: false });
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      requests++;
      const headers = new Headers(Object.entries(req.headers).filter(([, v]) => typeof v === 'string'));
      const response = await ingest(new Request('http://127.0.0.1/ingest', { method: 'POST', headers, body: Buffer.concat(chunks) }));
      res.writeHead(response.status).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/ingest`;

  const cases = [
    { name: 'before: at most batch.size (50) per request', sinkBatch: { size: 50 } },
    { name: 'now: while flushing, up to batch.maxBytes (512 KiB)', sinkBatch: undefined },
  ];
  const rows = [];
  for (const c of cases) {
    const times = [];
    const counts = [];
    for (let run = 1; run <= RUNS; run++) {
      progress(`${c.name}: run ${run}/${RUNS}`);
      const log = core.createLogger({
        vars: {},
        batch: { size: 50, intervalMs: 0 },
        maxBufferSize: EVENTS,
        sinks: [core.httpSink({ url, ...(c.sinkBatch ? { batch: c.sinkBatch } : {}) })],
      });
      // Pending, not yet sent: logged with no turn of the event loop in between, so only the
      // first batch.size may have left before the flush (as in a handler that logs, then flushes).
      for (let i = 0; i < EVENTS; i++) log.info(MESSAGE, { ...FIELDS, i });
      requests = 0;
      stored = 0;
      const start = performance.now();
      const result = await log.flush({ timeoutMs: 60_000 });
      const ms = performance.now() - start;
      await ingestLogger.flush();
      if (!result.ok || stored !== EVENTS) throw new Error(`${c.name}: stored ${stored} of ${EVENTS} (${JSON.stringify(result)})`);
      await log.shutdown();
      times.push(ms);
      counts.push(requests);
    }
    rows.push([c.name, String(median(counts)), formatNumber(median(times), 1)]);
  }
  server.closeAllConnections();
  server.close();

  print('## Flush round trips');
  print();
  print(
    `\`await log.flush()\` with ${formatNumber(EVENTS, 0)} pending \`info(${JSON.stringify(MESSAGE)}, 6 fields)\` events, ` +
      '`httpSink` to shiplog\'s ingest (`createIngestHandler` behind node:http on loopback); logger `batch: { size: 50 }`. ' +
      `Requests counted at the server, flush timed from the call to its result; median of ${RUNS} runs, every run checks the ingest stored all events. ` +
      'Target: at most 2 requests.',
  );
  print();
  print(markdownTable(['case', 'requests', 'ms (median)'], rows));
  print();
  print('Command: `npm run bench` (or `npm run build && node bench/flush-round-trips.bench.mjs`).');
} finally {
  snapshot.remove();
}
process.stdout.write(`${out.join('\n')}\n`);
