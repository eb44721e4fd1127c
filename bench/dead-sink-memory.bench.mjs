// Memory under a dead sink (issue 17: "memory bounded under a dead sink"): a logger keeps logging
// while its destination takes nothing. shiplog: `httpSink` to a node:http server that accepts
// every request and never answers (the send stays in flight; the buffer holds maxBufferSize
// events and drops the oldest, counted). pino: a destination stream that never finishes a write
// (what a stdout pipe to a stalled reader amounts to). Each logger in a fresh process
// (--expose-gc): events logged in chunks of 1,000 with an event-loop turn between; the heap is
// measured after a full GC at checkpoints. Every run checks that calls were made (shiplog: its
// counters add up: accepted = delivered + dropped + pending; pino: the lines queued in the stream).
// Run alone: `npm run build && node --expose-gc bench/dead-sink-memory.bench.mjs`
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchDist, snapshotDist } from './lib/dist-snapshot.mjs';
import { formatNumber, markdownTable } from './lib/stats.mjs';
import { FIELDS, MESSAGE, nextTurn } from './lib/workload.mjs';

const CHECKPOINTS = [1_000, 100_000, 250_000, 500_000];
const CHUNK = 1_000;
const SELF = fileURLToPath(import.meta.url);
const mb = (bytes) => `${formatNumber(bytes / 2 ** 20, 1)} MB`;

/** In the child: logs to a dead destination, returns the heap (after a full GC) at each checkpoint. */
async function child(name) {
  let logged = 0;
  let check = () => ({});
  let log;
  let stop = async () => {};
  if (name === 'shiplog') {
    const server = createServer(() => {}); // accepts, reads nothing back, never answers
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { createLogger, httpSink } = await import(pathToFileURL(join(benchDist(), 'index.js')).href);
    const logger = createLogger({ vars: {}, sinks: [httpSink({ url: `http://127.0.0.1:${server.address().port}/ingest` })] });
    log = () => logger.info(MESSAGE, FIELDS);
    check = () => {
      const s = logger.stats().sinks.http;
      if (s.accepted !== s.delivered + s.dropped + s.pending) throw new Error(`counters do not add up: ${JSON.stringify(s)}`);
      return { accepted: s.accepted, dropped: s.dropped, pending: s.pending };
    };
    stop = async () => {
      await logger.shutdown({ timeoutMs: 100 });
      server.closeAllConnections();
      server.close();
    };
  } else {
    const { default: pino } = await import('pino');
    const stalled = new Writable({
      write(_chunk, _encoding, _done) {
        // never calls _done: the stream queues every later write in memory
      },
    });
    const logger = pino({}, stalled);
    log = () => logger.info(FIELDS, MESSAGE);
    check = () => ({ buffered: stalled.writableLength, queued: stalled.writableBuffer?.length ?? 0 });
  }
  const rows = [];
  for (const target of CHECKPOINTS) {
    while (logged < target) {
      for (let i = 0; i < CHUNK; i++) log();
      logged += CHUNK;
      await nextTurn();
    }
    globalThis.gc();
    rows.push({ events: logged, heapUsed: process.memoryUsage().heapUsed, ...check() });
  }
  await stop();
  return rows;
}

function runChild(name) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', SELF, 'child', name], { maxBuffer: 16 << 20, timeout: 600_000, env: process.env }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${name}: ${error.message}\n${stderr.slice(-2000)}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });
}

if (process.argv[2] === 'child') {
  process.stdout.write(`${JSON.stringify(await child(process.argv[3]))}\n`);
  process.exit(0); // the dead destinations would keep the process alive
} else {
  const snapshot = snapshotDist();
  process.env.SHIPLOG_BENCH_DIST = snapshot.dist;
  try {
    const results = {};
    for (const name of ['shiplog', 'pino']) {
      process.stderr.write(`  dead sink: ${name}\n`);
      results[name] = await runChild(name);
    }
    const growth = (rows) => rows[rows.length - 1].heapUsed - rows[0].heapUsed;
    const out = [];
    out.push('## Memory under a dead sink');
    out.push('');
    out.push(
      `Each logger in a fresh process logs ${formatNumber(CHECKPOINTS[CHECKPOINTS.length - 1], 0)} \`info('order created', 5 fields)\` events in chunks of ${formatNumber(CHUNK, 0)} with an event-loop turn between, ` +
        'while its destination takes nothing: shiplog with `httpSink` (defaults: buffer 1,000 events) to a node:http server that accepts every request and never answers; ' +
        'pino with a destination stream that never finishes a write (a stdout pipe to a stalled reader). Heap used after a full GC at each point.',
    );
    out.push('');
    const header = ['logger', ...CHECKPOINTS.map((n) => `after ${formatNumber(n, 0)}`), `growth ${formatNumber(CHECKPOINTS[0], 0)} → ${formatNumber(CHECKPOINTS[CHECKPOINTS.length - 1], 0)}`, 'checked'];
    const rows = Object.entries(results).map(([name, points]) => {
      const last = points[points.length - 1];
      const checked =
        name === 'shiplog'
          ? `accepted ${formatNumber(last.accepted, 0)} = dropped (overflow) ${formatNumber(last.dropped, 0)} + pending ${formatNumber(last.pending, 0)}`
          : `${formatNumber(last.queued + 1, 0)} lines given to the stream (${formatNumber(last.queued, 0)} queued behind the first), ${mb(last.buffered)} waiting in it`;
      return [name, ...points.map((p) => mb(p.heapUsed)), mb(growth(points)), checked];
    });
    out.push(markdownTable(header, rows));
    out.push('');
    const shiplogGrowth = growth(results.shiplog);
    out.push(
      `Target: memory bounded under a dead sink: ${shiplogGrowth < 2 ** 20 * 5 ? '**met**' : '**missed**'} (shiplog's heap grew ${mb(shiplogGrowth)} over ${formatNumber(CHECKPOINTS[CHECKPOINTS.length - 1] - CHECKPOINTS[0], 0)} events; ` +
        'every event past the buffer is dropped as overflow and counted).',
    );
    out.push('');
    out.push('Command: `npm run build && node --expose-gc bench/dead-sink-memory.bench.mjs`');
    console.log(out.join('\n'));
  } finally {
    snapshot.remove();
  }
}
