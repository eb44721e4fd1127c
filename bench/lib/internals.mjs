// shiplog's delivery pipeline on its own, to separate its cost from serialization: push
// already-serialized events (the line a logger would make) through `createPipeline` in chunks of
// 100 with an event-loop turn between chunks, for a few batch sizes (after a warm-up round,
// variants interleaved, median of 5 rounds), so the per-batch cost
// (one send: promise chain, AbortController, send-timeout timer) shows up as ns per event.
import { pathToFileURL } from 'node:url';
import { benchDist } from './dist-snapshot.mjs';
import { median } from './stats.mjs';
import { FIELDS, MESSAGE, nextTurn } from './workload.mjs';

const CHUNK = 100;
const EVENTS = 100_000;
const ROUNDS = 5;

async function chunkedLoop(push) {
  const start = process.hrtime.bigint();
  for (let done = 0; done < EVENTS; done += CHUNK) {
    for (let i = 0; i < CHUNK; i++) push();
    await nextTurn();
  }
  return Number(process.hrtime.bigint() - start) / EVENTS;
}

/** Rows { label, ns } for the pipeline alone (empty-loop cost subtracted), plus that cost. */
export async function runPipelineInternals() {
  const { createPipeline } = await import(pathToFileURL(`${benchDist()}/index.js`).href);
  const line = JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: MESSAGE, ...FIELDS });
  const variants = [
    { label: 'batch size 50 (the default)', batch: { size: 50 } },
    { label: 'batch size 1000', batch: { size: 1000 } },
    { label: 'batch size 50, intervalMs 0 (no age timer)', batch: { size: 50, intervalMs: 0 } },
  ].map((variant) => {
    let delivered = 0;
    const sink = { name: 'null', write: (batch) => void (delivered += batch.length) };
    return { ...variant, pipeline: createPipeline({ sink, batch: variant.batch }), delivered: () => delivered, times: [] };
  });
  const empty = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const warmup = round === 0; // lets the JIT settle; not reported
    for (const variant of variants) {
      const before = variant.delivered();
      const pipeline = variant.pipeline;
      const ns = await chunkedLoop(() => pipeline.push({ level: 'info', time: Date.now(), line }));
      await pipeline.flush({ timeoutMs: 10_000 });
      if (variant.delivered() - before !== EVENTS) throw new Error(`pipeline ${variant.label}: events went missing`);
      if (!warmup) variant.times.push(ns);
    }
    const emptyNs = await chunkedLoop(() => {});
    if (!warmup) empty.push(emptyNs);
  }
  const emptyNs = median(empty);
  for (const { pipeline } of variants) await pipeline.shutdown();
  return {
    emptyNs,
    rows: variants.map(({ label, times }) => ({ label, ns: Math.max(0, median(times) - emptyNs) })),
  };
}
