// The core benchmark (issue 2): shiplog against pino 10, LogTape 2, evlog 2 and winston 3.
//   (a) ns per `info('order created', 5 fields)` where every event ends as a JSON line
//   (b) end to end: 200k events logged and flushed to an NDJSON file, events/s
//   (c) browser bundle size of createLogger + httpSink (esbuild, minified, gzip -9)
// Prints one Markdown section on stdout (bench/run.mjs collects it into bench/RESULTS.md);
// progress goes to stderr. Ratios are only meaningful within one run.
// Run alone: `npm run build && node --expose-gc bench/core.bench.mjs`
import { runBundleSize } from './lib/bundle-size.mjs';
import { CONTENDERS } from './lib/contenders.mjs';
import { snapshotDist } from './lib/dist-snapshot.mjs';
import { runEndToEnd } from './lib/end-to-end.mjs';
import { runHotPath } from './lib/hot-path.mjs';
import { runPipelineInternals } from './lib/internals.mjs';
import { profileHotPath } from './lib/profile.mjs';
import { formatKB, formatNumber, formatRatio, markdownTable } from './lib/stats.mjs';
import { FIELDS, MESSAGE } from './lib/workload.mjs';

// Issue 17: ≤ 0.6× pino per call; end to end to a file ≥ 1.5× pino's events/s. The browser bundle's
// target (≤ 5,000 B for the browser entry) is checked in browser-size.bench.mjs.
const TARGETS = { nsRatio: 0.6, e2eRatio: 1.5 };
const verdict = (ok) => (ok ? '**met**' : '**missed**');
const progress = (message) => process.stderr.write(`  ${message}\n`);
const out = [];
const print = (text = '') => out.push(text);

const snapshot = snapshotDist();
process.env.SHIPLOG_BENCH_DIST = snapshot.dist; // children (end to end) measure the same copy

try {
  // (a) hot path
  const hot = await runHotPath({ progress });
  const shiplogHot = hot.rows.find((r) => r.name === 'shiplog');
  progress('profiling the shiplog hot path');
  // In this process, which loads no other logger: a fresh shiplog logger, profiled alone.
  const shiplog = await CONTENDERS.find((c) => c.name === 'shiplog').create();
  const profile = await profileHotPath(shiplog.call);
  progress('pipeline alone');
  const internals = await runPipelineInternals();

  // (b) end to end
  const e2e = await runEndToEnd({ progress });
  const pinoE2e = e2e.rows.find((r) => r.name === 'pino');
  const shiplogE2e = e2e.rows.find((r) => r.name === 'shiplog');

  // (c) bundle size
  progress('bundling');
  const bundles = await runBundleSize();
  const shiplogBundle = bundles.rows.find((r) => r.target);

  print('## Core: shiplog vs pino, LogTape, evlog, winston');
  print();
  print(`Workload: \`info(${JSON.stringify(MESSAGE)}, ${JSON.stringify(FIELDS)})\`, every call ends as one JSON line.`);
  print();
  print('### (a) ns per call');
  print();
  print(
    `Each logger in a fresh process per round, ${hot.rounds} rounds interleaved; ns are medians over the rounds, ratios the ` +
      'median of per-round ratios to pino (runs seconds apart, so load changes between rounds cancel out). ' +
      'Every logger first makes 10 000 calls (chunks of 100 with an event-loop turn between; lines checked), and mitata is told to ' +
      'time batches of calls for every logger: it otherwise decides from one timed call, and times each call on its own (its clock ' +
      'reads then part of every sample) when that call was slow (a cold first call over 0.5 ms, a GC pause). ' +
      'The first call is timed on its own and reported (cold: lazy compilation, first use of timers or crypto). ' +
      'Caller-visible: mitata `measure` of the bare call. ' +
      'With delivery: 150 000 calls in chunks of 100 with a `setImmediate` turn between chunks, so work a ' +
      `logger defers (batch sends, stream writes) is counted; the empty loop (about ${formatNumber(hot.emptyLoopNs)} ns/call) is measured in the same process and subtracted. ` +
      'Every measurement checks that lines produced = calls made.',
  );
  print();
  print(
    markdownTable(
      ['logger', 'ns/call (caller-visible)', 'ratio to pino', 'per-round range', 'ns/call (with delivery)', 'ratio to pino', 'first call (µs)', 'lines checked'],
      hot.rows.map((r) => [
        r.name,
        formatNumber(r.ns),
        formatRatio(r.ratio),
        `${formatRatio(r.ratioRange[0])}–${formatRatio(r.ratioRange[1])}`,
        formatNumber(r.withDeliveryNs),
        formatRatio(r.withDeliveryRatio),
        formatNumber(r.firstCallUs, 0),
        formatNumber(r.lines, 0),
      ]),
    ),
  );
  print();
  for (const r of hot.rows) print(`- ${r.name}: ${r.note}`);
  print();
  print(
    `Target shiplog ≤ ${TARGETS.nsRatio}× pino (caller-visible): ${verdict(shiplogHot.ratio <= TARGETS.nsRatio)} ` +
      `(${formatRatio(shiplogHot.ratio)}; rounds ${formatRatio(shiplogHot.ratioRange[0])}–${formatRatio(shiplogHot.ratioRange[1])}).`,
  );
  print();
  print(
    'Where shiplog spends the time: V8 CPU profile (what `node --cpu-prof` records) of 200 000 calls in chunks of 100 ' +
      'with event-loop turns, so the pipeline\'s deferred work is included; % of non-idle samples. Inclusive = the function ' +
      'and everything it called (shiplog functions and GC only); V8 counts inlined helpers in their caller.',
  );
  print();
  const rowsOf = (list) => list.map((p) => [`\`${p.fn}\``, `${p.percent.toFixed(1)}%`]);
  print(markdownTable(['function (dist file:line)', 'inclusive'], rowsOf(profile.inclusive)));
  print();
  print(markdownTable(['function (file:line)', 'self'], rowsOf(profile.self)));
  print();
  print(
    'The pipeline alone (`createPipeline` fed already-serialized events, chunks of 100 with an event-loop turn between, ' +
      `after a warm-up round, median of 5 interleaved rounds, empty loop of about ${formatNumber(internals.emptyNs)} ns subtracted): what buffering and batch sends cost per event.`,
  );
  print();
  print(markdownTable(['pipeline', 'ns/event'], internals.rows.map((r) => [r.label, formatNumber(r.ns)])));
  print();

  print(`### (b) end to end: ${formatNumber(e2e.events, 0)} events to an NDJSON file`);
  print();
  print(
    `Each logger in a fresh process, events logged in chunks of 1000 with an event-loop turn between, then ` +
      `flushed and the file closed; median of ${e2e.runs} runs. The file's line count is checked and its first and last lines parsed.`,
  );
  print();
  print(
    markdownTable(
      ['logger', 'destination', 'events/s', 'ratio to pino', 'ms', 'lines'],
      e2e.rows.map((r) => [r.name, r.destination, formatNumber(r.eventsPerSec, 0), formatRatio(r.eventsPerSec / pinoE2e.eventsPerSec), formatNumber(r.ms, 0), formatNumber(r.lines, 0)]),
    ),
  );
  print();
  print(
    `Target shiplog ≥ ${TARGETS.e2eRatio}× pino events/s: ${verdict(shiplogE2e.eventsPerSec >= pinoE2e.eventsPerSec * TARGETS.e2eRatio)} ` +
      `(${formatRatio(shiplogE2e.eventsPerSec / pinoE2e.eventsPerSec)}).`,
  );
  print();

  print('### (c) browser bundle: a logger that ships events to an endpoint');
  print();
  print('esbuild 0.28, `platform: browser`, minified ESM, then gzip level 9.');
  print();
  print(
    markdownTable(
      ['bundle', 'minified', 'gzip -9'],
      bundles.rows.map((r) => [r.name, formatKB(r.minified), formatKB(r.gzip)]),
    ),
  );
  print();
  print(
    `For comparison only: the target for the browser (≤ 5,000 B for the browser entry) is checked in the browser bundle section; ` +
      `this row bundles the shared core (${formatKB(shiplogBundle.gzip)}).`,
  );
  print();
  print('Where the bytes come from (same entry bundled from src/, minified bytes before gzip):');
  print();
  print(markdownTable(['source file', 'minified bytes'], bundles.shiplogInputs.map((i) => [i.file, formatNumber(i.bytes, 0)])));
  print();
  print('<details><summary>bundle entries</summary>');
  print();
  for (const r of bundles.rows) {
    print(`${r.name}:`);
    print();
    print('```js');
    print(r.source.replace(/"[^"]*\/dist\/index\.js"/, "'shiplog/dist/index.js'"));
    print('```');
    print();
  }
  print('</details>');
  print();
  print('Command: `npm run bench` (or `npm run build && node --expose-gc bench/core.bench.mjs`).');
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  snapshot.remove();
}
