// Prints one closing line for the whole test run, from the JSON reports vitest wrote
// (the main run and scripts/node-matrix.mjs's runs on Node 22/24, Bun and Deno):
// "Tests: N passed, N failed, N skipped".
import { existsSync, readFileSync } from 'node:fs';

const matrix = ['node22', 'node24', 'bun', 'bun-file-sink', 'deno', 'deno-file-sink'].map((tag) => `.cache/vitest-${tag}.json`);
const reports = ['.cache/vitest-results.json', ...matrix].filter((f) => existsSync(f));
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of reports) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
}
console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || reports.length === 0 ? 1 : 0);
