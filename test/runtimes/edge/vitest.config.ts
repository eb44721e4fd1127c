import { defineConfig } from 'vitest/config';

/**
 * Vercel Edge and Next.js: fixtures are bundled from the built dist/ entries (resolved through
 * the `edge-light` condition) and evaluated in EdgeVM, which has no Node API; waitUntil delivery
 * is checked with the `edge-runtime` server and a local ingest server; Next route handlers
 * also run in Node with real Request objects.
 */
export default defineConfig({
  test: {
    name: 'edge',
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/runtimes/edge/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
