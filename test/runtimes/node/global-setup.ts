import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** ESM bundle of runtimes/node/index.ts, for child processes. */
    nodeEntry: string;
    /** ESM bundle of the CLI. */
    cliEntry: string;
  }
}

/**
 * Bundles the Node entry and the CLI from source for child processes, so these tests never
 * depend on (or race with) someone else's `dist/` build.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const root = new URL('../../..', import.meta.url).pathname;
  const out = mkdtempSync(join(tmpdir(), 'shiplog-node-bundle-'));
  const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error' } as const;
  await build({ ...common, entryPoints: [join(root, 'runtimes/node/index.ts')], outfile: join(out, 'node.mjs') });
  await build({ ...common, entryPoints: [join(root, 'runtimes/node/cli.ts')], outfile: join(out, 'cli.mjs') });
  chmodSync(out, 0o755); // the EACCES test runs a child as another user
  project.provide('nodeEntry', join(out, 'node.mjs'));
  project.provide('cliEntry', join(out, 'cli.mjs'));
  return () => rmSync(out, { recursive: true, force: true });
}
