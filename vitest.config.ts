import { defineConfig } from 'vitest/config';

/**
 * Projects: `unit` (pure core, also run on Node 22/24 by scripts/node-matrix.mjs), `faults`
 * (bad input, crashes), and one config per runtime under test/runtimes/<runtime>/.
 */
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      { test: { name: 'faults', include: ['test/faults/**/*.test.ts'], environment: 'node', testTimeout: 60_000 } },
      'test/runtimes/*/vitest.config.ts',
    ],
  },
});
