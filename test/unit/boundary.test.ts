/**
 * The declared core boundary: runtimes/ and the framework adapters import the core only through
 * src/index.ts (public API) and src/internal.ts. `scripts/import-graph.mjs --check` enforces it;
 * this test runs it on the repository, and on a scratch tree with a violation to prove it can fail.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/import-graph.mjs', import.meta.url));
const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'shiplog-boundary-'));
  scratch.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const check = (root?: string) => spawnSync(process.execPath, [script, '--check', ...(root === undefined ? [] : ['--root', root])], { encoding: 'utf8' });

describe('core boundary', () => {
  test('runtimes/ and src/adapters/ import only the public entries and src/internal.ts', () => {
    const result = check();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('a runtime reaching into a core module fails the check, naming the file and the module', () => {
    const root = tree({
      'src/index.ts': "export * from './logger.js';\n",
      'src/internal.ts': "export * from './index.js';\n",
      'src/logger.ts': 'export class Logger {}\n',
      'runtimes/edge/index.ts': "import { Logger } from '../../src/logger.js';\nexport { Logger };\n",
      'src/adapters/hono.ts': "export * from '../internal.js';\n",
    });
    const result = check(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('runtimes/edge/index.ts imports src/logger.ts');
  });

  test('an adapter reaching past internal.ts fails too; the graph lists every edge', () => {
    const root = tree({
      'src/index.ts': '',
      'src/internal.ts': '',
      'src/wait-until.ts': '',
      'src/adapters/next.ts': "import type { X } from '../wait-until.js';\nimport { y } from '../internal.js';\n",
    });
    expect(check(root).stderr).toContain('src/adapters/next.ts imports src/wait-until.ts');
    const graph = execFileSync(process.execPath, [script, '--root', root], { encoding: 'utf8' });
    expect(graph).toContain('src/adapters/next.ts -> src/internal.ts, src/wait-until.ts');
  });
});
