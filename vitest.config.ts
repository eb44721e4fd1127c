import { defineConfig } from 'vitest/config';

/**
 * Projects: `unit` (pure core, also run on Node 22/24 by scripts/node-matrix.mjs), `faults`
 * (bad input, crashes), and one config per runtime under test/runtimes/<runtime>/.
 */
export default defineConfig({
  test: {
    projects: [
      // Property tests run hundreds of cases: on a loaded 2-core machine one took 6.6 s, past the
      // 5 s default, and a test cut off with fake timers still on broke the next one's timer check.
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', testTimeout: 60_000 } },
      { test: { name: 'faults', include: ['test/faults/**/*.test.ts'], environment: 'node', testTimeout: 60_000 } },
      'test/runtimes/*/vitest.config.ts',
    ],
  },
});
