// Node durable spool benchmark (issue 14): a spooled http sink with its receiver down, then up.
//   (a) events/s spooled while the sink is down: log N events, flush (resolves once every batch
//       is fsynced to the spool), fsync on (the default) and off;
//   (b) events/s replayed when the receiver comes back: drain() until the spool is empty, each
//       batch POSTed to a node:http receiver and committed (cursor rename) one after another;
//   (c) the storage choice: appending 50-event batches durably to checksummed segment files
//       (what the spool uses) vs PGlite (embedded PostgreSQL in WASM, on disk; no native build).
// The receiver counts what arrived (by line): a lost or doubled event fails the run.
// Prints one Markdown section. Run alone: `npm run build && node bench/spool.bench.mjs`
import { PGlite } from '@electric-sql/pglite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startReceiver } from '../fixtures/node/spool-receiver.mjs';
import { benchDist, snapshotDist } from './lib/dist-snapshot.mjs';
import { formatNumber, markdownTable, median } from './lib/stats.mjs';
import { FIELDS, MESSAGE } from './lib/workload.mjs';

const EVENTS = Number(process.env.SPOOL_BENCH_EVENTS ?? 20_000);
const RUNS = Number(process.env.SPOOL_BENCH_RUNS ?? 3);
const STORE_BATCHES = 300;
const progress = (message) => process.stderr.write(`  ${message}\n`);

const snapshot = snapshotDist();
process.env.SHIPLOG_BENCH_DIST = snapshot.dist;
const out = [];
const print = (text = '') => out.push(text);
const ingest = await startReceiver();
try {
  const node = await import(pathToFileURL(join(benchDist(), 'node.js')).href);

  /** One run: spool EVENTS with the receiver down, then replay them with it up. */
  async function run(fsync) {
    const dir = mkdtempSync(join(tmpdir(), 'shiplog-spool-bench-'));
    try {
      ingest.mode = 'down';
      ingest.raw.length = 0;
      ingest.stored.clear();
      const log = node.createLogger({ console: false, // production: no development console lines
     
        exit: false,
        file: false,
        vars: {},
        sinks: [node.httpSink({ url: ingest.url, retry: { maxAttempts: 1 } })],
        spool: { dir, fsync, replay: { initialDelayMs: 60_000, maxDelayMs: 60_000 } }, // replay only when drained
        batch: { size: 50, intervalMs: 0 },
        maxBufferSize: EVENTS,
      });
      const t0 = performance.now();
      for (let i = 0; i < EVENTS; i++) log.info(MESSAGE, { ...FIELDS, i });
      const flushed = await log.flush({ timeoutMs: 120_000 });
      const spoolMs = performance.now() - t0;
      const onDisk = node.deliveryStatus(log)[0].pendingOnDisk;
      if (!flushed.ok || onDisk !== EVENTS) throw new Error(`spooling lost events: ${JSON.stringify(flushed)}, ${onDisk} on disk`);
      ingest.mode = 'up';
      const t1 = performance.now();
      const drained = await node.spoolOf(log).drain({ timeoutMs: 300_000 });
      const replayMs = performance.now() - t1;
      await log.shutdown();
      if (!drained || ingest.raw.length !== EVENTS || ingest.stored.size !== EVENTS) {
        throw new Error(`replay: drained ${drained}, ${ingest.raw.length} sent, ${ingest.stored.size} distinct of ${EVENTS}`);
      }
      return { spool: EVENTS / (spoolMs / 1000), replay: EVENTS / (replayMs / 1000) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const rows = [];
  for (const fsync of [true, false]) {
    const results = [];
    for (let r = 1; r <= RUNS; r++) {
      progress(`spool ${EVENTS} events, fsync ${fsync}: run ${r}/${RUNS}`);
      results.push(await run(fsync));
    }
    rows.push([
      fsync ? 'fsync per batch (default)' : 'no fsync',
      formatNumber(median(results.map((x) => x.spool))),
      formatNumber(median(results.map((x) => x.replay))),
    ]);
  }

  // (c) Storage candidates, same payload: 50 events of the workload's line per batch.
  const line = JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: MESSAGE, ...FIELDS });
  const batchText = Array.from({ length: 50 }, () => `info\t${Date.now()}\t${line}`).join('\n');
  const { openSync, writeSync, fsyncSync, closeSync } = await import('node:fs');
  const store = [];
  {
    const dir = mkdtempSync(join(tmpdir(), 'shiplog-spool-store-'));
    const fd = openSync(join(dir, 'seg.log'), 'a');
    const payload = Buffer.from(batchText);
    const t0 = performance.now();
    for (let i = 0; i < STORE_BATCHES; i++) {
      const record = Buffer.allocUnsafe(8 + payload.length);
      record.writeUInt32LE(payload.length, 0);
      record.writeUInt32LE(i, 4); // the checksum's cost is measured in (a); here the I/O
      payload.copy(record, 8);
      writeSync(fd, record);
      fsyncSync(fd);
    }
    const ms = performance.now() - t0;
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
    store.push(['segment file: append + fsync', formatNumber((STORE_BATCHES * 50) / (ms / 1000)), formatNumber(ms / STORE_BATCHES, 2), '0 (node:fs)']);
  }
  {
    const dir = mkdtempSync(join(tmpdir(), 'shiplog-spool-pglite-'));
    const tOpen = performance.now();
    const db = new PGlite(join(dir, 'db'));
    await db.exec('CREATE TABLE spool (id bigserial PRIMARY KEY, batch text NOT NULL)');
    const openMs = performance.now() - tOpen;
    const t0 = performance.now();
    for (let i = 0; i < STORE_BATCHES; i++) await db.query('INSERT INTO spool (batch) VALUES ($1)', [batchText]);
    const ms = performance.now() - t0;
    await db.close();
    rmSync(dir, { recursive: true, force: true });
    store.push([`PGlite on disk (one INSERT per batch; open ${formatNumber(openMs, 0)} ms)`, formatNumber((STORE_BATCHES * 50) / (ms / 1000)), formatNumber(ms / STORE_BATCHES, 2), 'a ~10 MB WASM dependency; makes no fsync call (strace), so not power-loss durable']);
  }

  print('## Node: durable spool (sink down, then replay)');
  print();
  print(`${EVENTS} events (the bench workload's fields), batches of 50, a spooled http sink whose node:http receiver answers 503, then 200; median of ${RUNS} runs.`);
  print('Spooled = `flush()` resolved with every batch appended to the spool; replayed = `drain()` resolved with every batch POSTed, answered 200 and committed. The receiver checks that each event arrived once.');
  print();
  print(markdownTable(['spool', 'spooled events/s (sink down)', 'replayed events/s'], rows));
  print();
  print(`Storage choice: ${STORE_BATCHES} durable appends of a 50-event batch.`);
  print();
  print(markdownTable(['store', 'events/s', 'ms per batch', 'runtime cost'], store));
} finally {
  await ingest.close();
  snapshot.remove();
}
process.stdout.write(`${out.join('\n')}\n`);
