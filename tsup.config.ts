import { cpSync } from 'node:fs';
import { defineConfig } from 'tsup';

/** Every public entry: `dist/<name>.{js,cjs,d.ts,d.cts}`. */
export const entries = {
  index: 'src/index.ts',
  testing: 'src/testing.ts',
  workers: 'runtimes/workers/index.ts',
  edge: 'runtimes/edge/index.ts',
  browser: 'runtimes/browser/index.ts',
  // Internal, not in package.json exports: keeps the browser's lean core in chunks apart from the full Logger (see src/lean/index.ts).
  'browser-core': 'src/lean/index.ts',
  node: 'runtimes/node/index.ts',
  cli: 'runtimes/node/cli.ts',
  // `shiplog dev` (collector, store, viewer server); internal, not in package.json exports.
  dev: 'runtimes/node/dev/index.ts',
  lambda: 'runtimes/lambda/index.ts',
  hono: 'src/adapters/hono.ts',
  next: 'src/adapters/next.ts',
  express: 'runtimes/node/express.ts',
  fastify: 'runtimes/node/fastify.ts',
  ingest: 'src/ingest.ts',
  otlp: 'src/sinks/otlp.ts',
  clickhouse: 'src/sinks/clickhouse.ts',
  connectors: 'src/connectors/index.ts',
};

export default defineConfig({
  entry: entries,
  format: ['esm', 'cjs'],
  dts: true,
  splitting: true,
  treeshake: true,
  sourcemap: false,
  clean: true,
  platform: 'neutral',
  // Keep `node:` specifiers in the node, lambda and CLI builds (Deno, Bun and bundlers key on them).
  removeNodeProtocol: false,
  target: 'es2022',
  outDir: 'dist',
  external: [/^node:/, 'hono', 'express', 'fastify', 'drizzle-orm', '@prisma/client', 'pg', 'postgres'],
  tsconfig: 'tsconfig.build.json',
  // The `shiplog dev` viewer is static files (no build step): copied next to the bundles.
  onSuccess: async () => cpSync('runtimes/node/dev/viewer', 'dist/viewer', { recursive: true }),
});
