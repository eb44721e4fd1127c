// Where shiplog's hot-path time goes: a V8 CPU profile (the same data `node --cpu-prof`
// writes) of a loop of `info('order created', 5 fields)` calls through the already-created
// logger, with delivery turns between chunks so deferred pipeline work is in the profile too.
// Self and inclusive time are summed per function (name + file + line); the top entries are reported.
import { Session } from 'node:inspector/promises';
import { basename } from 'node:path';
import { nextTurn } from './workload.mjs';

const SAMPLING_INTERVAL_US = 50;

/** Profiles `call` for `chunks × chunkSize` calls; returns the top functions by self and inclusive time. */
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
    return summarize(profile, top);
  } finally {
    session.disconnect();
  }
}

/** Not the logger's work: an idle event loop, and the inspector serializing the profile. */
const isOutsideWorkload = ({ functionName, url }) => functionName === '(idle)' || (functionName === 'dispatch' && url === '');

const frameName = ({ functionName, url, lineNumber }) => {
  const file = url ? basename(url) : '';
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
};

/**
 * Self time (where the CPU was) and inclusive time (a function and everything it called) per
 * function, as percentages of the non-idle samples. Inclusive time is listed for shiplog's own
 * functions (dist/ files) and the garbage collector only. V8 attributes inlined callees' time
 * to the caller, so small helpers may not show up by name.
 */
function summarize(profile, top) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const self = new Map();
  const inclusive = new Map();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id).callFrame;
    if (isOutsideWorkload(frame)) return;
    const delta = profile.timeDeltas[i] ?? 0;
    totalUs += delta;
    self.set(frameName(frame), (self.get(frameName(frame)) ?? 0) + delta);
    const counted = new Set(); // recursion: count each function once per sample
    for (let node = id; node !== undefined; node = parentOf.get(node)) {
      const callFrame = byId.get(node).callFrame;
      const name = frameName(callFrame);
      const ours = callFrame.url.includes('/dist/') || callFrame.functionName === '(garbage collector)';
      if (!ours || counted.has(name)) continue;
      counted.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + delta);
    }
  });
  const ranked = (map) =>
    [...map]
      .map(([fn, us]) => ({ fn, percent: (100 * us) / totalUs }))
      .sort((a, b) => b.percent - a.percent)
      .slice(0, top);
  return { self: ranked(self), inclusive: ranked(inclusive) };
}
