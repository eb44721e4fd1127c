// One long-running process for bench/long-running.bench.mjs:
//   node --expose-gc long-running-child.mjs <loggers comma-separated> <cycles> <events> <gc|nogc>
// Each cycle, for each logger in turn: create it, log `events` calls in chunks of 100 with an
// event-loop turn between chunks, flush (lines checked = calls), shut it down; only logging and
// flushing are timed. Prints `RESULT {json}` as the last stdout line (V8 traces such as
// --trace-deopt share stdout): { cycles: [{ <logger>: ns/call, … }, …] }.
import { CONTENDERS } from './contenders.mjs';
import { nextTurn } from './workload.mjs';

const CHUNK = 100;
const [names, cycles, events, gcMode] = process.argv.slice(2);
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
  const start = process.hrtime.bigint();
  for (let done = 0; done < calls; done += CHUNK) {
    for (let i = 0; i < CHUNK; i++) call();
    await nextTurn();
  }
  await instance.settle();
  const ns = Number(process.hrtime.bigint() - start) / calls;
  const lines = instance.lines() - before;
  if (lines !== calls) throw new Error(`${contender.name}: ${calls} calls produced ${lines} lines`);
  await instance.logger?.shutdown();
  return ns;
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
