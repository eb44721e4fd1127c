// Node file sink benchmark (issue 5):
//   (a) 200k events logged and flushed to an NDJSON file: shiplog's file sink vs pino with a
//       sonic-boom destination (sync: false), events/s and MB/s, in the same run;
//   (b) a burst of 200k events in one synchronous loop with default settings: how many reach
//       the file, for shiplog, pino, evlog and LogTape;
//   (c) readLogFile over a 1 GB file: time, MB/s and peak RSS (streaming = constant memory).
// Each measurement runs in a fresh child process (this script with `--child`); the parent
// counts the lines of every file and parses the first and last, so a logger that loses events
// fails the run instead of looking fast. Prints one Markdown section on stdout.
// Run alone: `npm run build && node bench/node-file.bench.mjs`
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchDist, snapshotDist } from './lib/dist-snapshot.mjs';
import { formatNumber, formatRatio, markdownTable, median } from './lib/stats.mjs';
import { countLines, FIELDS, MESSAGE, nextTurn, pinoFileLogger } from './lib/workload.mjs';

const SELF = fileURLToPath(import.meta.url);
const EVENTS = 200_000;
const RUNS = Number(process.env.NODE_BENCH_RUNS ?? 5);
const TARGET_RATIO = 1.5;
const READ_BYTES = 1024 ** 3;

/** Peak resident set size of this process, in bytes (Linux /proc; 0 elsewhere). */
function peakRss() {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
    return Number(line.split(/\s+/)[1]) * 1024;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------- child side
const setups = {
  async shiplog(file) {
    const node = await import(pathToFileURL(join(benchDist(), 'node.js')).href);
    const { dirname } = await import('node:path');
    // Defaults of the Node entry's file sink, except rotation, pushed past the run's size so
    // the run lands in one file like pino's.
    const log = node.createLogger({ console: false, // production: no development console lines
      file: { dir: dirname(file), errorFile: false, maxSizeBytes: 2 ** 31 }, exit: false, vars: {} });
    return {
      log: () => log.info(MESSAGE, FIELDS),
      async finish() {
        const result = await log.shutdown({ timeoutMs: 60_000 });
        if (!result.ok) throw new Error(`shiplog shutdown not ok: ${JSON.stringify(result)}`);
      },
    };
  },
  async 'shiplog-fsync'(file) {
    const node = await import(pathToFileURL(join(benchDist(), 'node.js')).href);
    const { dirname } = await import('node:path');
    const log = node.createLogger({ console: false, // production: no development console lines
      file: { dir: dirname(file), errorFile: false, maxSizeBytes: 2 ** 31, fsync: true }, exit: false, vars: {} });
    return {
      log: () => log.info(MESSAGE, FIELDS),
      async finish() {
        const result = await log.shutdown({ timeoutMs: 60_000 });
        if (!result.ok) throw new Error(`shiplog shutdown not ok: ${JSON.stringify(result)}`);
      },
    };
  },
  pino: (file) => pinoFileLogger(file),
};

/** Default configurations for the burst table: how much of a tight loop each keeps. */
const burstSetups = {
  async shiplog(file) {
    const node = await import(pathToFileURL(join(benchDist(), 'node.js')).href);
    const { dirname } = await import('node:path');
    const log = node.createLogger({ console: false, // production: no development console lines
      file: { dir: dirname(file) }, exit: false, vars: {} }); // all defaults (rotation at 10 MiB)
    return { log: () => log.info(MESSAGE, FIELDS), finish: () => log.shutdown({ timeoutMs: 60_000 }) };
  },
  pino: (file) => setups.pino(file),
  async evlog(file) {
    const { initLogger, log } = await import('evlog');
    const { createFsDrain } = await import('evlog/fs');
    const { createDrainPipeline } = await import('evlog/pipeline');
    const { dirname } = await import('node:path');
    const drain = createDrainPipeline()(createFsDrain({ dir: dirname(file), pretty: false })); // default pipeline
    initLogger({ env: { service: 'bench', environment: 'production' }, silent: true, pretty: false, drain });
    return { log: () => log.info({ message: MESSAGE, ...FIELDS }), finish: () => drain.flush() };
  },
  async logtape(file, nonBlocking) {
    const { configure, dispose, getLogger, jsonLinesFormatter } = await import('@logtape/logtape');
    const { getFileSink } = await import('@logtape/file');
    await configure({
      reset: true,
      sinks: { file: getFileSink(file, { formatter: jsonLinesFormatter, ...(nonBlocking ? { nonBlocking: true } : {}) }) },
      loggers: [
        { category: ['bench'], lowestLevel: 'info', sinks: ['file'] },
        { category: ['logtape', 'meta'], lowestLevel: 'warning', sinks: [] },
      ],
    });
    const log = getLogger(['bench']);
    return { log: () => log.info(MESSAGE, FIELDS), finish: () => dispose() };
  },
  'logtape-nonblocking': (file) => burstSetups.logtape(file, true),
};

async function childBurst(name, file) {
  const logger = await burstSetups[name](file);
  for (let i = 0; i < EVENTS; i++) logger.log();
  await logger.finish();
  return {};
}

async function childWrite(name, workload, file) {
  const logger = await setups[name](file);
  const start = performance.now();
  if (workload === 'tight') {
    for (let i = 0; i < EVENTS; i++) logger.log();
  } else {
    for (let i = 0; i < EVENTS; i += 1000) {
      for (let k = 0; k < 1000; k++) logger.log();
      await nextTurn();
    }
  }
  await logger.finish();
  return { ms: performance.now() - start };
}

async function childRead(file) {
  const { readLogFile } = await import(pathToFileURL(join(benchDist(), 'node.js')).href);
  const before = peakRss();
  const start = performance.now();
  let matched = 0;
  for await (const record of readLogFile(file, { level: 'warn' })) if (record.msg === MESSAGE) matched++;
  return { ms: performance.now() - start, matched, peakRss: peakRss(), rssBefore: before };
}

if (process.argv[2] === '--child') {
  const [, , , kind, a, b, c] = process.argv;
  const result = kind === 'write' ? await childWrite(a, b, c) : kind === 'burst' ? await childBurst(a, b) : await childRead(a);
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}

// ---------------------------------------------------------------- parent side
const progress = (message) => process.stderr.write(`  ${message}\n`);
const child = (args) => JSON.parse(execFileSync(process.execPath, [SELF, '--child', ...args], { maxBuffer: 1 << 20, env: process.env }).toString());

function verify(name, file) {
  const text = readFileSync(file, 'utf8');
  const lines = countLines(text);
  if (lines !== EVENTS) throw new Error(`${name}: expected ${EVENTS} lines, found ${lines}`);
  const all = text.trimEnd().split('\n');
  for (const line of [all[0], all.at(-1)]) {
    const event = JSON.parse(line);
    if (event.msg !== MESSAGE || event.orderId !== FIELDS.orderId) throw new Error(`${name}: unexpected line ${line}`);
  }
  return text.length;
}

const snapshot = snapshotDist();
process.env.SHIPLOG_BENCH_DIST = snapshot.dist;
const out = [];
const print = (text = '') => out.push(text);
try {
  const workloads = [
    ['tight', 'one synchronous loop of 200 000 calls, then flush'],
    ['chunked', '200 chunks of 1 000 calls with a `setImmediate` turn between chunks (a server between requests), then flush'],
  ];
  const results = {};
  for (let run = 1; run <= RUNS; run++) {
    for (const [workload] of workloads) {
      for (const name of ['pino', 'shiplog', 'shiplog-fsync']) {
        progress(`file write run ${run}/${RUNS}: ${workload} ${name}`);
        const dir = mkdtempSync(join(tmpdir(), `shiplog-bench-node-${name}-`));
        const file = join(dir, 'log.ndjson');
        try {
          const { ms } = child(['write', name, workload, file]);
          const bytes = verify(name, file);
          const entry = (results[`${workload}:${name}`] ??= { times: [], bytes });
          entry.times.push(ms);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
  }

  print('## Node: file sink vs pino (sonic-boom), and readLogFile over 1 GB');
  print();
  print(
    `Workload: \`info(${JSON.stringify(MESSAGE)}, ${JSON.stringify(FIELDS)})\` × ${formatNumber(EVENTS, 0)}, timed from the first call ` +
      `until everything is flushed and the file closed, in a fresh process per run; median of ${RUNS} interleaved runs. ` +
      'Every run checks the line count and parses the first and last line. shiplog: `createLogger` of dist/node.js with its ' +
      'default file sink (batches of 1 000 events / 256 KiB, one `write(2)` per batch, synchronous write when the buffer is full); ' +
      'shiplog-fsync: the same with `fsync: true` (an `fdatasync` per batch: flushed = on the disk). ' +
      'pino 10: `pino.destination({ sync: false })` (sonic-boom). ' +
      `Target: shiplog ≥ ${TARGET_RATIO}× pino's events/s.`,
  );
  print();
  const rows = [];
  const verdicts = [];
  for (const [workload, description] of workloads) {
    const pino = results[`${workload}:pino`];
    const pinoMs = median(pino.times);
    for (const name of ['pino', 'shiplog', 'shiplog-fsync']) {
      const { times, bytes } = results[`${workload}:${name}`];
      const ms = median(times);
      const ratio = pinoMs / ms;
      rows.push([
        workload,
        name,
        formatNumber(EVENTS / (ms / 1000), 0),
        formatNumber(bytes / 1e6 / (ms / 1000), 1),
        formatNumber(ms, 1),
        formatRatio(ratio),
      ]);
      if (name === 'shiplog') verdicts.push(`- ${workload} (${description}): shiplog ${formatRatio(ratio)} pino → target ${ratio >= TARGET_RATIO ? '**met**' : '**missed**'}`);
    }
  }
  print(markdownTable(['workload', 'logger', 'events/s', 'MB/s', 'ms (median)', 'vs pino events/s'], rows));
  print();
  print(verdicts.join('\n'));
  print();

  // Burst: how many of 200k events in one synchronous loop reach the file, default settings.
  const { readLogFile } = await import(pathToFileURL(join(benchDist(), 'node.js')).href);
  const burstRows = [];
  for (const [name, config] of [
    ['shiplog', '`createLogger()` of dist/node.js, defaults (file sink, 10 MiB rotation, buffer 1000)'],
    ['pino', '`pino.destination({ sync: false })`'],
    ['evlog', '`createFsDrain()` behind `createDrainPipeline()` (defaults: buffer 1000, batch 50)'],
    ['logtape', "@logtape/file `getFileSink(file)` (defaults: blocking, 8 KiB buffer)"],
    ['logtape-nonblocking', "@logtape/file `getFileSink(file, { nonBlocking: true })`"],
  ]) {
    progress(`burst: ${name}`);
    const dir = mkdtempSync(join(tmpdir(), `shiplog-bench-burst-${name}-`));
    try {
      child(['burst', name, join(dir, 'log.ndjson')]);
      let kept = 0;
      if (name === 'shiplog') for await (const record of readLogFile(dir)) kept += record.msg === MESSAGE ? 1 : 0;
      else for (const f of readdirSync(dir, { recursive: true })) if (/\.(ndjson|jsonl)$/.test(f)) kept += countLines(readFileSync(join(dir, f), 'utf8'));
      burstRows.push([name, config, formatNumber(kept, 0), `${formatNumber((kept / EVENTS) * 100, 2)}%`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  print(`### A burst: ${formatNumber(EVENTS, 0)} events in one synchronous loop, default settings`);
  print();
  print('Events found in the files after the logger flushed and closed (shiplog: archives and active file, read back with `readLogFile`).');
  print();
  print(markdownTable(['logger', 'configuration', 'events in the file', 'kept'], burstRows));
  print();

  // (b) readLogFile over 1 GB
  progress('writing a 1 GB NDJSON file');
  const dir = mkdtempSync(join(tmpdir(), 'shiplog-bench-read-'));
  try {
    const file = join(dir, 'big.ndjson');
    const levels = ['info', 'info', 'info', 'warn', 'info', 'error', 'info', 'debug', 'info', 'info'];
    const chunk = Buffer.from(
      `${Array.from({ length: 1000 }, (_, i) =>
        JSON.stringify({ level: levels[i % 10], time: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)).toISOString(), msg: MESSAGE, ...FIELDS, i }),
      ).join('\n')}\n`,
    );
    const fd = openSync(file, 'w');
    let written = 0;
    while (written < READ_BYTES) written += writeSync(fd, chunk);
    closeSync(fd);
    const size = statSync(file).size;
    const lines = Math.round((size / chunk.length) * 1000);
    progress('reading it back with readLogFile');
    const read = child(['read', file]);
    if (read.matched !== (lines / 10) * 2) throw new Error(`readLogFile matched ${read.matched}, expected ${(lines / 10) * 2}`);
    print(`### readLogFile over ${formatNumber(size / 1024 ** 3, 2)} GiB`);
    print();
    print(
      `\`readLogFile(file, { level: 'warn' })\` over ${formatNumber(lines, 0)} lines (20% match), in a fresh process. ` +
        'Peak RSS is the process high-water mark (VmHWM), before (after imports) and after reading.',
    );
    print();
    print(
      markdownTable(
        ['file', 'lines', 'matched', 'seconds', 'MB/s', 'peak RSS before', 'peak RSS after'],
        [
          [
            formatNumber(size / 1e6, 0) + ' MB',
            formatNumber(lines, 0),
            formatNumber(read.matched, 0),
            formatNumber(read.ms / 1000, 2),
            formatNumber(size / 1e6 / (read.ms / 1000), 0),
            `${formatNumber(read.rssBefore / 1024 ** 2, 0)} MiB`,
            `${formatNumber(read.peakRss / 1024 ** 2, 0)} MiB`,
          ],
        ],
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  print();
  print('Command: `npm run bench` (or `npm run build && node bench/node-file.bench.mjs`).');
} finally {
  snapshot.remove();
}
process.stdout.write(`${out.join('\n')}\n`);
