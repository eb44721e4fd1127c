import { defineConfig } from 'vitest/config';

/**
 * Browser runtime and ingest endpoint: Debian's Chromium driven by playwright-core against the
 * demo server (fixtures/browser), which serves the page bundled from the built dist/browser.js
 * and the real ingest handler on Hono + @hono/node-server; the hostile-request corpus
 * (fixtures/ingest) runs against that server in a child process so its memory can be watched.
 */
export default defineConfig({
  test: {
    name: 'browser',
    root: new URL('.', import.meta.url).pathname,
    include: ['**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
