// Worst-case call cost (issue 12): hostile inputs under the default limits. Each case is one
// log call whose input is built before the clock starts; the worst and median µs per call over
// the runs are reported, with the longest line produced (UTF-8 bytes). Target: a few ms per
// call at most, and no line over maxEventBytes (65 536), whatever the input.
// Prints one Markdown section on stdout (bench/run.mjs collects it into bench/RESULTS.md).
// Run alone: `npm run build && node --expose-gc bench/worst-case.bench.mjs`
import { pathToFileURL } from 'node:url';
import { benchDist } from './lib/dist-snapshot.mjs';
import { formatNumber, markdownTable } from './lib/stats.mjs';

const RUNS = 15;
const WARMUP = 2;
const MAX_EVENT_BYTES = 65_536;

const { createLogger } = await import(pathToFileURL(`${benchDist()}/index.js`).href);
const lines = [];
const sink = {
  name: 'null',
  write(batch) {
    for (const event of batch) lines.push(event.line);
  },
  writeSync(batch) {
    for (const event of batch) lines.push(event.line);
  },
};
const log = createLogger({ sinks: [sink], vars: {}, maxBufferSize: 10 });

function sharedTree(levels, fanOut) {
  let level = [];
  for (let i = 0; i < levels; i++) level = Array.from({ length: fanOut }, () => level);
  return level;
}

function deep(levels) {
  let value = {};
  for (let i = 0; i < levels; i++) value = { next: value };
  return value;
}

const selfLogging = {
  get value() {
    log.info('from getter', selfLogging);
    return 1;
  },
};

// Flat strings (as read from a file or the network): a rope built by repeat() or += costs V8
// a full copy on first access, whoever touches it first.
const flat = (char, length) => Buffer.alloc(length, char).toString();
const fiveMb = flat('x', 5_000_000);
const hugeError = {
  get boom() {
    throw new Error(fiveMb);
  },
};

const manyParams = `https://x.example/cb?${Array.from({ length: 1000 }, (_, i) => `p${i}=${i}&token=t${i}`).join('&')}`;

/** name → [make the input (not timed), make the call]. */
const CASES = [
  ['10 MB Buffer as fields', () => Buffer.alloc(10 << 20), (v) => log.info('m', v)],
  ['50 MB Uint8Array as fields', () => new Uint8Array(50 << 20), (v) => log.info(v)],
  ['child(10 MB Buffer)', () => Buffer.alloc(10 << 20), (v) => log.child(v).info('m')],
  ['nested 10 MB Buffer', () => ({ body: Buffer.alloc(10 << 20) }), (v) => log.info('m', v)],
  ['5 MB key', () => ({ [flat('k', 5_000_000)]: 1 }), (v) => log.info('m', v)],
  ['BigInt 2^1000000', () => ({ big: 2n ** 1_000_000n }), (v) => log.info('m', v)],
  ['getter throwing a 5 MB error', () => hugeError, (v) => log.info('m', { v })],
  ['getter that logs its own object', () => selfLogging, (v) => log.info('m', v)],
  ['shared arrays 100^10 (no cycle)', () => sharedTree(10, 100), (v) => log.info('m', { v })],
  ['10 000 levels deep', () => deep(10_000), (v) => log.info('m', v)],
  ['10 MB string value', () => ({ s: flat('x', 10 << 20) }), (v) => log.info('m', v)],
  ['10 MB message', () => flat('é', 5 << 20), (v) => log.info(v)],
  ['1 M item array', () => ({ a: new Array(1_000_000).fill(1) }), (v) => log.info('m', v)],
  ['1 M entry Map', () => ({ m: new Map(Array.from({ length: 1_000_000 }, (_, i) => [i, i])) }), (v) => log.info('m', v)],
  ['100 000 keys object', () => Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])), (v) => log.info('m', v)],
  ['100 fresh 200-char keys per call', () => Object.fromEntries(Array.from({ length: 100 }, () => [`${Math.random()}`.repeat(12), 1])), (v) => log.info('m', v)],
  ['URL with 2000 params', () => ({ url: manyParams }), (v) => log.info('m', v)],
  ['100 × 10 000-char escapes', () => Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, flat('\u0000"\u2028', 9999)])), (v) => log.info('m', v)],
];

const rows = [];
for (const [name, make, call] of CASES) {
  process.stderr.write(`  ${name}\n`);
  const times = [];
  let longest = 0;
  for (let run = 0; run < WARMUP + RUNS; run++) {
    const input = make();
    globalThis.gc?.();
    lines.length = 0;
    const start = process.hrtime.bigint();
    call(input);
    const us = Number(process.hrtime.bigint() - start) / 1000;
    log.flushSync();
    for (const line of lines) longest = Math.max(longest, Buffer.byteLength(line));
    if (run >= WARMUP) times.push(us);
  }
  times.sort((a, b) => a - b);
  rows.push([name, formatNumber(times.at(-1)), formatNumber(times[Math.floor(times.length / 2)]), formatNumber(longest, 0), longest <= MAX_EVENT_BYTES ? 'yes' : '**no**']);
}

console.log('## Worst-case call cost (hostile inputs, default limits)');
console.log();
console.log(
  `One log call per run with the input built beforehand (not timed), ${RUNS} runs after ${WARMUP} warm-up runs, ` +
    'a gc before each; the sink keeps lines in memory. Worst and median µs of the call; longest line in UTF-8 bytes.',
);
console.log();
console.log(markdownTable(['case', 'worst µs/call', 'median µs/call', 'longest line (bytes)', `≤ ${MAX_EVENT_BYTES}`], rows));
