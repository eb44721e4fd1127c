// One long-running process for bench/long-running.bench.mjs:
//   node --expose-gc long-running-child.mjs <loggers comma-separated> <cycles> <events> <gc|nogc> [keep]
// Each cycle, for each logger in turn: create it, log `events` calls in chunks of 100 with an
// event-loop turn between chunks, flush (lines checked = calls), shut it down; only logging and
// flushing are timed (wall clock and process CPU time, which other processes' load disturbs
// less). `gc`: a full GC before every logger; `keep`: one idle shiplog logger alive throughout.
// Prints `RESULT {json}` as the last stdout line (V8 traces such as --trace-deopt share
// stdout): { cycles: [{ <logger>: { ns, cpuNs }, … }, …] }, per call.
import { CONTENDERS } from './contenders.mjs';
import { nextTurn } from './workload.mjs';

const CHUNK = 100;
const [names, cycles, events, gcMode, keep] = process.argv.slice(2);
// `keep`: one shiplog logger stays alive (idle) for the whole process, as a server's does.
const keeper = keep === 'keep' ? await CONTENDERS.find((c) => c.name === 'shiplog').create() : undefined;
if (keeper !== undefined) {
  keeper.call();
  await keeper.settle();
}
const loggers = names.split(',').map((name) => {
  const contender = CONTENDERS.find((c) => c.name === name);
  if (contender === undefined) throw new Error(`unknown logger ${name}`);
  return contender;
});
const calls = Math.ceil(Number(events) / CHUNK) * CHUNK;

async function cycle(contender) {
  const instance = await contender.create();
  const call = instance.call;
  const before = instance.lines();
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let done = 0; done < calls; done += CHUNK) {
    for (let i = 0; i < CHUNK; i++) call();
    await nextTurn();
  }
  await instance.settle();
  const ns = Number(process.hrtime.bigint() - start) / calls;
  const cpu = process.cpuUsage(cpuStart);
  const cpuNs = ((cpu.user + cpu.system) * 1000) / calls;
  const lines = instance.lines() - before;
  if (lines !== calls) throw new Error(`${contender.name}: ${calls} calls produced ${lines} lines`);
  await instance.logger?.shutdown();
  return { ns, cpuNs };
}

const results = [];
for (let c = 0; c < Number(cycles); c++) {
  const row = {};
  for (const contender of loggers) {
    if (gcMode === 'gc') globalThis.gc();
    row[contender.name] = await cycle(contender);
  }
  results.push(row);
}
process.stdout.write(`\nRESULT ${JSON.stringify({ cycles: results })}\n`);
