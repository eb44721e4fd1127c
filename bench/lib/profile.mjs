// Where shiplog's hot-path time goes: a V8 CPU profile (the same data `node --cpu-prof`
// writes) of a loop of `info('order created', 5 fields)` calls through the already-created
// logger, with delivery turns between chunks so deferred pipeline work is in the profile too.
// Self time is summed per function (name + file + line) and the top entries are reported.
import { Session } from 'node:inspector/promises';
import { basename } from 'node:path';
import { nextTurn } from './workload.mjs';

const SAMPLING_INTERVAL_US = 50;

/** Profiles `call` for `chunks × chunkSize` calls; returns the top functions by self time. */
export async function profileHotPath(call, { chunks = 2000, chunkSize = 100, top = 12 } = {}) {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
    await session.post('Profiler.start');
    for (let chunk = 0; chunk < chunks; chunk++) {
      for (let i = 0; i < chunkSize; i++) call();
      await nextTurn();
    }
    const { profile } = await session.post('Profiler.stop');
    return selfTimeTop(profile, top);
  } finally {
    session.disconnect();
  }
}

function selfTimeTop(profile, top) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
    totalUs += delta;
  });
  const byFunction = new Map();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const file = url ? basename(url) : '';
    const key = `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  return [...byFunction]
    .map(([fn, us]) => ({ fn, percent: (100 * us) / totalUs }))
    .sort((a, b) => b.percent - a.percent)
    .slice(0, top);
}
