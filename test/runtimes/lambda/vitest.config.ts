import { defineConfig } from 'vitest/config';

/**
 * Lambda runtime: the freeze harness (fixtures/lambda) runs handlers built from dist/lambda.js
 * in a child process and SIGSTOPs it the instant the handler settles; wrapper details run
 * in-process against the source with a memory sink.
 */
export default defineConfig({
  test: {
    name: 'lambda',
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/runtimes/lambda/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
