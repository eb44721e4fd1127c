// Long-running processes (issue 17): does shiplog's cost per call drift when one process keeps
// creating and shutting down loggers, alternating with pino? Each scenario runs in fresh
// processes (bench/lib/long-running-child.mjs): every cycle creates a logger, logs EVENTS calls
// in chunks of 100 with an event-loop turn between, flushes (lines checked) and shuts it down.
// Scenarios: shiplog and pino alternating (the reported case), the same with a forced full GC
// before every logger (control for GC pressure carried between cycles), each logger alone.
// PROCESSES processes per scenario, interleaved; per cycle the median across processes.
// Then one alternating and one shiplog-alone process with --trace-deopt: deoptimizations
// counted per function, shiplog's functions (defined in dist/) separately.
// Prints one Markdown section on stdout (bench/run.mjs collects it into bench/RESULTS.md).
// Run alone: `npm run build && node bench/long-running.bench.mjs`
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { snapshotDist } from './lib/dist-snapshot.mjs';
import { formatNumber, formatRatio, markdownTable, median } from './lib/stats.mjs';

const CHILD = fileURLToPath(new URL('./lib/long-running-child.mjs', import.meta.url));
const CYCLES = Number(process.env.LONG_RUNNING_CYCLES ?? 8);
const EVENTS = Number(process.env.LONG_RUNNING_EVENTS ?? 100_000);
const PROCESSES = Number(process.env.LONG_RUNNING_PROCESSES ?? 3);
const progress = (message) => process.stderr.write(`  ${message}\n`);

const SCENARIOS = [
  { key: 'mixed', label: 'shiplog and pino alternating', loggers: 'shiplog,pino', gc: 'nogc' },
  { key: 'mixed-gc', label: 'alternating, full GC before every logger', loggers: 'shiplog,pino', gc: 'gc' },
  { key: 'mixed-gc-keep', label: 'alternating, full GC before every logger, one idle shiplog logger kept alive', loggers: 'shiplog,pino', gc: 'gc', keep: true },
  { key: 'shiplog', label: 'shiplog alone', loggers: 'shiplog', gc: 'nogc' },
  { key: 'pino', label: 'pino alone', loggers: 'pino', gc: 'nogc' },
];

function runChild(scenario, extraFlags = []) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', ...extraFlags, CHILD, scenario.loggers, String(CYCLES), String(EVENTS), scenario.gc, scenario.keep ? 'keep' : ''],
      { maxBuffer: 256 << 20, timeout: 600_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${scenario.key}: ${error.message}\n${stderr.slice(-2000)}`));
        // The RESULT line, up to its end: V8's traces (written by compiler threads) may follow it.
        const at = stdout.lastIndexOf('\nRESULT ');
        const end = stdout.indexOf('\n', at + 1);
        resolve({ ...JSON.parse(stdout.slice(at + 8, end < 0 ? undefined : end)), stdout: stdout.slice(0, at) + (end < 0 ? '' : stdout.slice(end)) });
      },
    );
  });
}

/** `[bailout (kind: …, reason: R): begin. deoptimizing …, <JSFunction NAME (sfi = …)>` → counts by name and reason. */
function countDeopts(trace, shiplogNames) {
  const byFunction = new Map();
  let total = 0;
  let shiplog = 0;
  for (const match of trace.matchAll(/\[bailout \(kind: ([^,]+), reason: ([^)]*)\): begin\. deoptimizing [^<]*<JSFunction ([^ >]*)/g)) {
    const [, kind, reason, name] = match;
    const ours = shiplogNames.has(name);
    total++;
    if (ours) shiplog++;
    const key = `${ours ? 'shiplog' : 'other'}|${name || '(anonymous)'}|${reason}|${kind}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + 1);
  }
  // Optimized code thrown away (lazily) because an object it embedded died in a GC, or an
  // assumption it made (a field's type, a constant) no longer holds.
  let invalidated = 0;
  let invalidatedShiplog = 0;
  for (const match of trace.matchAll(/\[marking dependent code [^<]*<Code [A-Z]+> \([^<]*<SharedFunctionInfo ?([^>]*)>\)[^\]]*reason: ([^\]]*)\]/g)) {
    const [, name, reason] = match;
    const ours = shiplogNames.has(name);
    invalidated++;
    if (ours) invalidatedShiplog++;
    const key = `${ours ? 'shiplog' : 'other'}|${name || '(anonymous)'}|${reason} (code invalidated)|lazy`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + 1);
  }
  const top = [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([key, count]) => [...key.split('|'), count]);
  return { total, shiplog, invalidated, invalidatedShiplog, top };
}

/**
 * `--trace-opt`'s `[completed compiling … <JSFunction NAME (sfi = …)> (target TURBOFAN) - took a, b, c ms]`
 * → TurboFan compilations and their milliseconds (all three phases), in total and in shiplog's functions.
 */
function countCompiles(trace, shiplogNames) {
  const totals = { count: 0, ms: 0, shiplogCount: 0, shiplogMs: 0 };
  for (const match of trace.matchAll(/\[completed compiling [^<]*<JSFunction ([^ >]*)[^>]*> \(target TURBOFAN\) - took ([\d.]+), ([\d.]+), ([\d.]+) ms\]/g)) {
    const ms = Number(match[2]) + Number(match[3]) + Number(match[4]);
    totals.count++;
    totals.ms += ms;
    if (shiplogNames.has(match[1])) {
      totals.shiplogCount++;
      totals.shiplogMs += ms;
    }
  }
  return totals;
}

/** Names of the functions and methods defined in dist/*.js (heuristic: identifiers before `(`…`) {`). */
function shiplogFunctionNames(dist) {
  const names = new Set();
  for (const file of readdirSync(dist).filter((f) => f.endsWith('.js'))) {
    const code = readFileSync(join(dist, file), 'utf8');
    for (const m of code.matchAll(/(?:function\s+|^\s+(?:async\s+|static\s+|get\s+|set\s+)?)(#?[A-Za-z_$][\w$]*)\s*\([^)]*\)\s*\{/gm)) names.add(m[1]);
  }
  for (const common of ['if', 'for', 'while', 'switch', 'catch', 'function']) names.delete(common);
  return names;
}

const snapshot = snapshotDist();
process.env.SHIPLOG_BENCH_DIST = snapshot.dist;
try {
  const runs = new Map(SCENARIOS.map((s) => [s.key, []]));
  for (let p = 1; p <= PROCESSES; p++) {
    for (const scenario of SCENARIOS) {
      progress(`process ${p}/${PROCESSES}: ${scenario.label}`);
      runs.get(scenario.key).push((await runChild(scenario)).cycles);
    }
  }
  progress('--trace-deopt: alternating; with a full GC before every logger; the same with a logger kept alive');
  const names = shiplogFunctionNames(snapshot.dist);
  const traced = {};
  for (const key of ['mixed', 'mixed-gc', 'mixed-gc-keep']) {
    const scenario = SCENARIOS.find((s) => s.key === key);
    const result = await runChild(scenario, ['--trace-deopt', '--trace-opt']);
    traced[key] = { ...countDeopts(result.stdout, names), compiles: countCompiles(result.stdout, names), cycles: result.cycles };
  }

  /** Per cycle: median over processes of a logger's { ns, cpuNs }, and of the shiplog/pino ratio. */
  const perCycle = (key, logger, metric) => Array.from({ length: CYCLES }, (_, c) => median(runs.get(key).map((cycles) => cycles[c][logger][metric])));
  const ratioPerCycle = (key, metric) =>
    Array.from({ length: CYCLES }, (_, c) => median(runs.get(key).map((cycles) => cycles[c].shiplog[metric] / cycles[c].pino[metric])));
  const early = (values) => median(values.slice(0, 3));
  const late = (values) => median(values.slice(3));

  const out = [];
  const print = (text = '') => out.push(text);
  print('## Long-running process: shiplog and pino alternating');
  print();
  print(
    `Each scenario in ${PROCESSES} fresh processes (interleaved). A process runs ${CYCLES} cycles; a cycle, for each logger in turn: create it, ` +
      `log ${formatNumber(EVENTS, 0)} \`info('order created', 5 fields)\` calls in chunks of 100 with an event-loop turn between, flush (line count checked), shut it down. ` +
      'Timed: logging + flush, as process CPU time (user + system, less disturbed by other processes than the wall clock) and wall time, per call. ' +
      'Loggers as in the core benchmark (shiplog: dist/ with a null sink; pino: a `{ write(){} }` destination). Per cycle: median over the processes.',
  );
  print();
  const header = ['scenario', 'logger', ...Array.from({ length: CYCLES }, (_, c) => `cycle ${c + 1}`), 'cycles 1–3', `cycles 4–${CYCLES}`];
  const rows = [];
  for (const scenario of SCENARIOS) {
    const loggers = scenario.loggers.split(',');
    for (const logger of loggers) {
      const cpu = perCycle(scenario.key, logger, 'cpuNs');
      rows.push([scenario.label, `${logger} CPU ns/call`, ...cpu.map((v) => formatNumber(v, 0)), formatNumber(early(cpu), 0), formatNumber(late(cpu), 0)]);
    }
    if (loggers.length === 2) {
      for (const metric of ['cpuNs', 'ns']) {
        const ratio = ratioPerCycle(scenario.key, metric);
        rows.push([scenario.label, `shiplog ÷ pino (${metric === 'ns' ? 'wall' : 'CPU'})`, ...ratio.map(formatRatio), `**${formatRatio(early(ratio))}**`, `**${formatRatio(late(ratio))}**`]);
      }
    }
  }
  print(markdownTable(header, rows));
  print();
  const mixedRatio = ratioPerCycle('mixed', 'cpuNs');
  const gcRatio = ratioPerCycle('mixed-gc', 'cpuNs');
  const alone = perCycle('shiplog', 'shiplog', 'cpuNs');
  const keepRatio = ratioPerCycle('mixed-gc-keep', 'cpuNs');
  print(
    `Drift of the ratio (CPU, median of cycles 4–${CYCLES} ÷ median of cycles 1–3): alternating ${formatRatio(late(mixedRatio) / early(mixedRatio))}, ` +
      `with a full GC before every logger ${formatRatio(late(gcRatio) / early(gcRatio))} (level ${formatRatio(late(gcRatio))}), ` +
      `the same with an idle shiplog logger kept alive ${formatRatio(late(keepRatio) / early(keepRatio))} (level ${formatRatio(late(keepRatio))}); shiplog alone, its own ns/call ${formatRatio(late(alone) / early(alone))}. ` +
      'Target ≤ 0.6× pino per call in a long-running process: ' +
      `${late(mixedRatio) <= 0.6 ? '**met**' : '**missed**'} (${formatRatio(late(mixedRatio))} in cycles 4–${CYCLES}).`,
  );
  print();
  print(`Deoptimizations and recompilations (\`node --trace-deopt --trace-opt\`, one process each, same workload; bailouts counted, TurboFan compilations counted with their compile time; a function counts as shiplog's when dist/ defines a function or method of that name):`);
  print();
  print(
    markdownTable(
      ['process', 'eager bailouts', "in shiplog's functions", 'optimized code invalidated', "in shiplog's functions", 'TurboFan compilations (ms)', "in shiplog's functions (ms)"],
      Object.entries(traced).map(([key, t]) => [
        SCENARIOS.find((s) => s.key === key).label,
        String(t.total),
        String(t.shiplog),
        String(t.invalidated),
        String(t.invalidatedShiplog),
        `${t.compiles.count} (${formatNumber(t.compiles.ms, 0)})`,
        `${t.compiles.shiplogCount} (${formatNumber(t.compiles.shiplogMs, 0)})`,
      ]),
    ),
  );
  print();
  const gcTrace = traced['mixed-gc'].compiles;
  const plainTrace = traced.mixed.compiles;
  print(
    'What the full GC does: when no shiplog logger is alive, the GC frees objects that optimized code embedded (the dead logger\'s sink, its closures and the maps of its objects), ' +
      'so V8 throws that code away ("weak objects") and compiles it again for the next logger: ' +
      `${gcTrace.count} TurboFan compilations (${formatNumber(gcTrace.ms, 0)} ms) instead of ${plainTrace.count} (${formatNumber(plainTrace.ms, 0)} ms) without the GC. ` +
      'Warming up again (running unoptimized, then recompiling) in every cycle is what the GC adds per call; pino pays it too (its destination is also a new object every cycle), on less code. ' +
      'Compile milliseconds are wall time of background compiler threads and vary with load; the counts are steadier. ' +
      'A process that keeps one logger alive (a server, a Lambda module) does not pay it: see the scenario with an idle logger kept alive.',
  );
  print();
  for (const [key, t] of Object.entries(traced)) {
    print(`<details><summary>most frequent deoptimizations: ${SCENARIOS.find((s) => s.key === key).label}</summary>`);
    print();
    print(markdownTable(['owner', 'function', 'reason', 'kind', 'count'], t.top.map((r) => r.map(String))));
    print();
    print('</details>');
    print();
  }
  print(`Command: \`npm run build && node bench/long-running.bench.mjs\` (env LONG_RUNNING_CYCLES, LONG_RUNNING_EVENTS, LONG_RUNNING_PROCESSES; defaults ${CYCLES}, ${EVENTS}, ${PROCESSES}).`);
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  snapshot.remove();
}
