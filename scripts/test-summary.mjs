// Prints one closing line for the whole test run, from the JSON reports vitest wrote (the main
// run and scripts/node-matrix.mjs's runs on Node 22/24, Bun and Deno): "Tests: N passed, N failed, N skipped". It runs whether or
// not the runs before it passed (`npm test` passes their exit codes as arguments), so the line
// is there even when a later Node version's run fails or crashes. A report older than the main
// run (left from an earlier `npm test` by a run that crashed before writing) is not counted: it
// is named as missing, and the run counts as failed.
import { existsSync, readFileSync } from 'node:fs';

const REPORTS = [
  ['main run', '.cache/vitest-results.json'],
  ['Node 22', '.cache/vitest-node22.json'],
  ['Node 24', '.cache/vitest-node24.json'],
  ['Bun', '.cache/vitest-bun.json'],
  ['Bun file sink', '.cache/vitest-bun-file-sink.json'],
  ['Deno', '.cache/vitest-deno.json'],
  ['Deno file sink', '.cache/vitest-deno-file-sink.json'],
];
const exitCodes = process.argv.slice(2).map(Number);

function read(file) {
  try {
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  } catch {
    return undefined; // a half-written report
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
const mainStart = read(REPORTS[0][1])?.startTime ?? 0;
for (const [name, file] of REPORTS) {
  const r = read(file);
  if (r === undefined || (r.startTime ?? 0) < mainStart) {
    missing.push(name);
    continue;
  }
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}
const runFailed = exitCodes.some((code) => code !== 0);
const notes = [];
if (missing.length > 0) notes.push(`no report from: ${missing.join(', ')}`);
if (runFailed && failed === 0) notes.push(`a run exited with ${exitCodes.filter((c) => c !== 0).join(', ')}`);
console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`);
process.exit(failed > 0 || missing.length > 0 || runFailed ? 1 : 0);
