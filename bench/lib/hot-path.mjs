// Part (a) of the core benchmark: what one `info('order created', 5 fields)` costs.
//
// - caller-visible: mitata's `measure` of the bare call (what the caller waits for). Several
//   rounds, each contender in a fresh process, contenders interleaved so background load hits
//   all of them alike; the median of the rounds' means is reported.
// - with delivery: the same calls in chunks of 100 with a turn of the event loop between
//   chunks (as a server does between requests), so work a logger defers to microtasks or
//   timers (batch sends, stream writes) is paid inside the measured time too. The cost of an
//   empty chunk loop is measured the same way, in the same process, and subtracted.
//
// After every measurement the logger is settled and its line count must equal the number of
// calls: a logger that skipped work would fail the run instead of looking fast.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { measure } from 'mitata';
import { CONTENDERS } from './contenders.mjs';
import { median } from './stats.mjs';
import { nextTurn } from './workload.mjs';

const CHILD = fileURLToPath(new URL('./hot-path-child.mjs', import.meta.url));
const CHUNK = 100;
const DELIVERY_CHUNKS = 1500; // 150 000 calls per measurement: long enough to include its garbage collections

async function checkedLines(instance, name, linesBefore, calls) {
  await instance.settle();
  const lines = instance.lines() - linesBefore;
  if (lines !== calls) throw new Error(`${name}: ${calls} calls produced ${lines} JSON lines`);
  return lines;
}

/** Above any one call's time: mitata then measures every contender in batches of calls. */
const ALWAYS_BATCH_NS = 1e9;

/** Calls made before any measurement, so each logger's first, cold calls are not part of it. */
const WARM_UP_CALLS = 10_000;

/**
 * µs of the logger's very first call (cold: lazy compilation, first use of timers or crypto),
 * then a warm-up. mitata times each call on its own (not in batches) when the first call takes over
 * 0.5 ms; its own clock reads would then be part of every sample, so the warm-up comes first.
 */
async function warmUp(instance, name) {
  instance.activate?.();
  const before = instance.lines();
  const start = process.hrtime.bigint();
  instance.call();
  const firstCallUs = Number(process.hrtime.bigint() - start) / 1000;
  for (let i = 1; i < WARM_UP_CALLS; i++) {
    instance.call();
    if (i % CHUNK === 0) await nextTurn();
  }
  await checkedLines(instance, name, before, WARM_UP_CALLS);
  return firstCallUs;
}

/** Mean ns per call of the bare call, with the line count checked. */
async function measureCallerVisible(instance, name) {
  instance.activate?.();
  const call = instance.call;
  let calls = 0;
  const before = instance.lines();
  // Always in batches: mitata decides from one timed call whether to batch, and a call that
  // happens to meet a GC pause or a descheduled moment would make it time every call alone.
  const stats = await measure(
    () => {
      calls++;
      call();
    },
    { warmup_threshold: ALWAYS_BATCH_NS, batch_threshold: ALWAYS_BATCH_NS },
  );
  await checkedLines(instance, name, before, calls);
  return { ns: stats.avg, calls };
}

/** ns per call including deferred work: chunks of calls with an event-loop turn between. */
async function measureWithDelivery(instance, name) {
  instance.activate?.();
  globalThis.gc?.(); // start from a collected heap (the bench runs with --expose-gc)
  const call = instance.call ?? (() => {});
  const before = instance.lines?.() ?? 0;
  const start = process.hrtime.bigint();
  for (let chunk = 0; chunk < DELIVERY_CHUNKS; chunk++) {
    for (let i = 0; i < CHUNK; i++) call();
    await nextTurn();
  }
  if (instance.settle) await instance.settle();
  const elapsed = Number(process.hrtime.bigint() - start);
  const calls = CHUNK * DELIVERY_CHUNKS;
  if (instance.lines) await checkedLines(instance, name, before, calls);
  return elapsed / calls;
}

/** Part (a) for one contender, in this process: { ns, withDeliveryNs, lines }. */
export async function measureContender(name) {
  const contender = CONTENDERS.find((c) => c.name === name);
  if (contender === undefined) throw new Error(`unknown contender ${name}`);
  // The empty loop is measured warm, before and after the logger's runs; the lower one is
  // subtracted, since either may pay for a start-up task or the logger's garbage.
  await measureWithDelivery({}, 'empty loop');
  const emptyBefore = await measureWithDelivery({}, 'empty loop');
  const instance = await contender.create();
  const firstCallUs = await warmUp(instance, name);
  const { ns, calls } = await measureCallerVisible(instance, name);
  const withDelivery = await measureWithDelivery(instance, name);
  const emptyLoop = Math.min(emptyBefore, await measureWithDelivery({}, 'empty loop'));
  return { ns, withDeliveryNs: Math.max(0, withDelivery - emptyLoop), emptyLoopNs: emptyLoop, firstCallUs, lines: WARM_UP_CALLS + calls + CHUNK * DELIVERY_CHUNKS };
}

function runChild(name) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', CHILD, name], { maxBuffer: 1 << 20, timeout: 300_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${name}: ${error.message}\n${stderr.slice(-2000)}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

/**
 * Runs part (a): each contender in a fresh process per round (one library's garbage and JIT
 * state must not slow another), rounds interleaved so background load hits all alike.
 * Returns rows { name, note, ns, withDeliveryNs, ratio, withDeliveryRatio, lines }: medians over
 * the rounds, and ratios to pino as the median of per-round ratios (a round's runs are seconds
 * apart, so a load change between rounds cancels out).
 */
export async function runHotPath({ rounds = 7, progress = () => {} } = {}) {
  const results = new Map(CONTENDERS.map((c) => [c.name, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const { name } of CONTENDERS) {
      progress(`hot path round ${round}/${rounds}: ${name}`);
      results.get(name).push(await runChild(name));
    }
  }
  const pino = results.get('pino');
  const ratioTo = (runs, key) => median(runs.map((r, round) => r[key] / pino[round][key]));
  const all = [...results.values()].flat();
  return {
    rounds,
    emptyLoopNs: median(all.map((r) => r.emptyLoopNs)),
    rows: CONTENDERS.map(({ name, note }) => {
      const runs = results.get(name);
      return {
        name,
        note,
        ns: median(runs.map((r) => r.ns)),
        withDeliveryNs: median(runs.map((r) => r.withDeliveryNs)),
        ratio: ratioTo(runs, 'ns'),
        withDeliveryRatio: ratioTo(runs, 'withDeliveryNs'),
        firstCallUs: median(runs.map((r) => r.firstCallUs)),
        ratioRange: [Math.min(...runs.map((r, i) => r.ns / pino[i].ns)), Math.max(...runs.map((r, i) => r.ns / pino[i].ns))],
        lines: runs.reduce((sum, r) => sum + r.lines, 0),
      };
    }),
  };
}
