import { defineConfig } from 'vitest/config';

/**
 * Workers runtime tests: each test bundles a Worker (fixtures/workers or ./workers/*) with
 * esbuild and runs it in real workerd through miniflare; delivery is checked at a local ingest
 * server and console lines are captured from workerd's stdout.
 */
export default defineConfig({
  test: {
    name: 'workers',
    root: new URL('.', import.meta.url).pathname,
    include: ['**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
