// What the `eventId` on every line costs (issue 11): `info(MESSAGE, 5 fields)` with event ids on
// (the default) and off (`eventId: false`), in one process, the two loggers measured alternately
// for 10 rounds with mitata; the fastest round of each is compared (the minimum is what survives
// background load on a shared machine). The caller-visible ratio to pino is in the core section.
// Run alone: `npm run build && node --expose-gc bench/event-id-cost.bench.mjs`
import { measure } from 'mitata';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchDist, snapshotDist } from './lib/dist-snapshot.mjs';
import { formatNumber, markdownTable } from './lib/stats.mjs';
import { FIELDS, MESSAGE } from './lib/workload.mjs';

const ROUNDS = 10;
const snapshot = snapshotDist();
process.env.SHIPLOG_BENCH_DIST = snapshot.dist;
const out = [];
try {
  const { createLogger } = await import(pathToFileURL(join(benchDist(), 'index.js')).href);
  let lines = 0;
  const sink = { name: 'null', write: (b) => void (lines += b.length), writeSync: (b) => void (lines += b.length) };
  const withIds = createLogger({ sinks: [sink], vars: {} });
  const withoutIds = createLogger({ sinks: [sink], vars: {}, eventId: false });
  const best = { on: Infinity, off: Infinity };
  for (let round = 1; round <= ROUNDS; round++) {
    process.stderr.write(`  event ids: round ${round}/${ROUNDS}\n`);
    best.off = Math.min(best.off, (await measure(() => withoutIds.info(MESSAGE, FIELDS))).min);
    best.on = Math.min(best.on, (await measure(() => withIds.info(MESSAGE, FIELDS))).min);
  }
  await Promise.all([withIds.flush(), withoutIds.flush()]);
  if (lines === 0) throw new Error('no line was produced');
  out.push('## Event ids: cost per call');
  out.push('');
  out.push(
    `\`info(${JSON.stringify(MESSAGE)}, 5 fields)\` into a null sink, \`eventId\` on (default) and off, measured alternately in one ` +
      `process, ${ROUNDS} rounds of mitata; the fastest round of each.`,
  );
  out.push('');
  out.push(
    markdownTable(['eventId', 'ns per call (fastest round)'], [
      ['off (`eventId: false`)', formatNumber(best.off, 0)],
      ['on (default)', formatNumber(best.on, 0)],
      ['cost of the id', `${formatNumber(best.on - best.off, 0)} ns (${formatNumber(((best.on - best.off) / best.off) * 100, 1)}%)`],
    ]),
  );
  out.push('');
  out.push('Command: `npm run bench` (or `npm run build && node --expose-gc bench/event-id-cost.bench.mjs`).');
} finally {
  snapshot.remove();
}
process.stdout.write(`${out.join('\n')}\n`);
