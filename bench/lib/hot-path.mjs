// Part (a) of the core benchmark: what one `info('order created', 5 fields)` costs.
//
// - caller-visible: mitata's `measure` of the bare call (what the caller waits for). Several
//   rounds, contenders interleaved so background load hits all of them alike; the median of
//   the rounds' means is reported.
// - with delivery: the same calls in chunks of 100 with a turn of the event loop between
//   chunks (as a server does between requests), so work a logger defers to microtasks or
//   timers (batch sends, stream writes) is paid inside the measured time too. The cost of an
//   empty chunk loop is measured the same way and subtracted.
//
// After every measurement the logger is settled and its line count must equal the number of
// calls: a logger that skipped work would fail the run instead of looking fast.
import { measure } from 'mitata';
import { CONTENDERS } from './contenders.mjs';
import { median } from './stats.mjs';
import { nextTurn } from './workload.mjs';

const CHUNK = 100;
const DELIVERY_CHUNKS = 500; // 50 000 calls per measurement

async function checkedLines(instance, name, linesBefore, calls) {
  await instance.settle();
  const lines = instance.lines() - linesBefore;
  if (lines !== calls) throw new Error(`${name}: ${calls} calls produced ${lines} JSON lines`);
  return lines;
}

/** Mean ns per call of the bare call, with the line count checked. */
async function measureCallerVisible(instance, name) {
  instance.activate?.();
  const call = instance.call;
  let calls = 0;
  const before = instance.lines();
  const stats = await measure(() => {
    calls++;
    call();
  });
  await checkedLines(instance, name, before, calls);
  return { ns: stats.avg, calls };
}

/** ns per call including deferred work: chunks of calls with an event-loop turn between. */
async function measureWithDelivery(instance, name) {
  instance.activate?.();
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

/**
 * Runs part (a). Returns one row per contender:
 * { name, note, ns, withDeliveryNs, lines } plus the shiplog logger for profiling.
 */
export async function runHotPath({ rounds = 3, progress = () => {} } = {}) {
  const entries = [];
  for (const contender of CONTENDERS) {
    entries.push({ contender, instance: await contender.create(), ns: [], delivery: [], lines: 0 });
  }
  const emptyLoop = [];
  for (let round = 1; round <= rounds; round++) {
    for (const entry of entries) {
      progress(`hot path round ${round}/${rounds}: ${entry.contender.name}`);
      const { ns, calls } = await measureCallerVisible(entry.instance, entry.contender.name);
      entry.ns.push(ns);
      entry.lines += calls;
      entry.delivery.push(await measureWithDelivery(entry.instance, entry.contender.name));
      entry.lines += CHUNK * DELIVERY_CHUNKS;
    }
    emptyLoop.push(await measureWithDelivery({}, 'empty loop'));
  }
  const baseline = median(emptyLoop);
  return {
    baselineNs: baseline,
    rows: entries.map(({ contender, ns, delivery, lines }) => ({
      name: contender.name,
      note: contender.note,
      ns: median(ns),
      withDeliveryNs: Math.max(0, median(delivery) - baseline),
      lines,
    })),
    shiplog: entries.find((e) => e.contender.name === 'shiplog').instance,
  };
}
