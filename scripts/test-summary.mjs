// Prints one closing line for the whole test run, from the JSON reports vitest wrote
// (the main run and the Node 22/24 unit runs): "Tests: N passed, N failed, N skipped".
import { existsSync, readFileSync } from 'node:fs';

const reports = ['.cache/vitest-results.json', '.cache/vitest-node22.json', '.cache/vitest-node24.json'].filter((f) => existsSync(f));
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
