import { defineConfig } from 'vitest/config';

/** Node runtime: real files, child processes, PGlite, a private PostgreSQL 15 cluster, Prisma. */
export default defineConfig({
  test: {
    name: 'node',
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/runtimes/node/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/runtimes/node/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
