import { defineConfig } from 'vitest/config';

/**
 * `shiplog dev`: the collector on a real node:http port with real segment files (hostile
 * requests, dedupe, OTLP round trip, token on a non-loopback bind), the store's bounds, and the
 * viewer in Debian's Chromium (playwright-core), which saves .cache/artifacts/viewer.png.
 */
export default defineConfig({
  test: {
    name: 'dev',
    root: new URL('.', import.meta.url).pathname,
    include: ['**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
