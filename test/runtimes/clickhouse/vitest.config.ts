import { defineConfig } from 'vitest/config';

/** ClickHouse: a private clickhouse-server (Debian's 18.16) started by global-setup.ts. */
export default defineConfig({
  test: {
    name: 'clickhouse',
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/runtimes/clickhouse/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/runtimes/clickhouse/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
});
