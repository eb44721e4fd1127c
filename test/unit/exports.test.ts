/**
 * The package's conditional exports resolve each runtime to its own build, in Node (child
 * processes with `--conditions`) and in a bundler (esbuild's `conditions`), for `import` and
 * `require`, and every subpath loads in ESM and CJS.
 *
 * The checks run against a private copy of the built package (package.json + dist/) in a temp
 * dir: other work in this checkout may rebuild dist/ at any moment. The copy is taken under
 * the build lock; if dist/ is missing or incomplete it is built first (`npx tsup`).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');
const BUILD_LOCK = '/tmp/build.lock';

type ExportTree = string | { [condition: string]: ExportTree };
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { exports: Record<string, ExportTree> };

/** `.`'s runtime conditions and the build each must pick (the entry's RUNTIME constant). */
const RUNTIME_CONDITIONS = [
  ['workerd', 'workers'],
  ['worker', 'workers'],
  ['edge-light', 'edge'],
  ['browser', 'browser'],
  ['node', 'node'],
] as const;

/** Subpath → dist file name and, for runtime entries, the RUNTIME it must report. */
const SUBPATHS = [
  ['./workers', 'workers', 'workers'],
  ['./edge', 'edge', 'edge'],
  ['./browser', 'browser', 'browser'],
  ['./node', 'node', 'node'],
  ['./lambda', 'lambda', 'lambda'],
  ['./hono', 'hono', undefined],
  ['./next', 'next', undefined],
  ['./express', 'express', undefined],
  ['./fastify', 'fastify', undefined],
  ['./ingest', 'ingest', undefined],
  ['./otlp', 'otlp', undefined],
  ['./clickhouse', 'clickhouse', undefined],
  ['./connectors', 'connectors', undefined],
  ['./testing', 'testing', undefined],
] as const;

/** Every file path the exports map names. */
function exportTargets(tree: ExportTree): string[] {
  return typeof tree === 'string' ? [tree] : Object.values(tree).flatMap(exportTargets);
}
const allTargets = [...new Set(Object.values(pkg.exports).flatMap(exportTargets))];

const hasFlock = (() => {
  try {
    execFileSync('flock', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Runs a shell command holding the build lock (shared with every other build in this checkout). */
function locked(command: string): void {
  const argv = hasFlock ? ['flock', BUILD_LOCK, 'sh', '-c', command] : ['sh', '-c', command];
  execFileSync(argv[0] as string, argv.slice(1), { cwd: repoRoot, stdio: 'pipe', timeout: 300_000 });
}

let root: string;
const missingIn = (dir: string) => allTargets.filter((target) => !existsSync(join(dir, target)));

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'shiplog-exports-'));
  const copy = `rm -rf "${root}/dist" && cp -r dist package.json "${root}/"`;
  // A dist/ older than its sources is rebuilt: the test must resolve what the sources build.
  const stale = '[ ! -f dist/index.js ] || [ -n "$(find src runtimes tsup.config.ts package.json -newer dist/index.js | head -1)" ]';
  locked(`if ${stale}; then npx tsup; fi; test -d dist && ${copy} || true`);
  if (missingIn(root).length > 0) locked(`npx tsup && ${copy}`);
  // Adapters import their optional peers (hono …) from the repo's node_modules.
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
}, 300_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Runs Node in the package root, so `shiplog` resolves through the package's own exports. */
async function node(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, args, { cwd: root, timeout: 30_000 });
  return stdout.trim();
}
const esmRuntime = (spec: string, flags: string[] = []) =>
  node([...flags, '--input-type=module', '-e', `const m = await import(${JSON.stringify(spec)}); console.log(m.RUNTIME);`]);
const cjsRuntime = (spec: string, flags: string[] = []) =>
  node([...flags, '-e', `console.log(require(${JSON.stringify(spec)}).RUNTIME);`]);

/**
 * Bundles `source` with esbuild (platform neutral: no implicit node/browser condition), runs
 * the bundle, and returns what it printed and which dist files went in. Only the node build may
 * import Node built-ins (they stay external); in any other build such an import fails the
 * bundle, which keeps the core, workers, edge and browser builds free of them.
 */
let bundles = 0;
async function bundle(source: string, conditions: string[], format: 'esm' | 'cjs') {
  const result = await esbuild.build({
    stdin: { contents: source, resolveDir: root, sourcefile: 'entry.js' },
    absWorkingDir: root,
    external: conditions.includes('node') ? ['node:*', ...builtinModules] : [],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'neutral',
    format,
    conditions,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs).filter((file) => file.startsWith('dist/'));
  const code = result.outputFiles[0]?.text ?? '';
  // Run from a file: a bundle passed as an argument fails with E2BIG beyond 128 KiB (the node CJS build).
  const file = join(root, `bundle-${++bundles}.${format === 'esm' ? 'mjs' : 'cjs'}`);
  writeFileSync(file, code);
  const printed = await node([file]);
  return { inputs, printed };
}

describe('package.json exports', () => {
  it('names only files that the build produced', () => {
    expect(allTargets.length).toBeGreaterThan(40);
    expect(missingIn(root)).toEqual([]);
  });

  it('falls back to the core ESM build under `default`, last in `.`', () => {
    const dot = pkg.exports['.'] as Record<string, ExportTree>;
    expect(Object.keys(dot).slice(-3)).toEqual(['import', 'require', 'default']);
    expect(dot.default).toBe('./dist/index.js');
  });
});

describe('node --conditions', () => {
  it.each(RUNTIME_CONDITIONS)('--conditions=%s resolves `shiplog` to the %s build (import and require)', async (condition, runtime) => {
    const flags = [`--conditions=${condition}`];
    expect(await esmRuntime('shiplog', flags)).toBe(runtime);
    expect(await cjsRuntime('shiplog', flags)).toBe(runtime);
  });

  it('plain Node (which always sets the `node` condition) gets the node build', async () => {
    expect(await esmRuntime('shiplog')).toBe('node');
    expect(await cjsRuntime('shiplog')).toBe('node');
  });

  it('the `default` target itself is the core build', async () => {
    expect(await esmRuntime('./dist/index.js')).toBe('core');
    expect(await cjsRuntime('./dist/index.cjs')).toBe('core');
  });
});

describe('esbuild conditions', () => {
  it.each(RUNTIME_CONDITIONS)('conditions: [%s] bundles the %s build', async (condition, runtime) => {
    const esm = await bundle(`import { RUNTIME } from 'shiplog'; console.log(RUNTIME);`, [condition], 'esm');
    expect(esm.inputs).toContain(`dist/${runtime}.js`);
    expect(esm.printed).toBe(runtime);
    const cjs = await bundle(`console.log(require('shiplog').RUNTIME);`, [condition], 'cjs');
    expect(cjs.inputs).toContain(`dist/${runtime}.cjs`);
    expect(cjs.printed).toBe(runtime);
  });

  it('no runtime condition: `import` picks the core ESM build, `require` the core CJS build', async () => {
    const esm = await bundle(`import { RUNTIME } from 'shiplog'; console.log(RUNTIME);`, [], 'esm');
    expect(esm.inputs).toContain('dist/index.js');
    expect(esm.printed).toBe('core');
    const cjs = await bundle(`console.log(require('shiplog').RUNTIME);`, [], 'cjs');
    expect(cjs.inputs).toContain('dist/index.cjs');
    expect(cjs.printed).toBe('core');
  });
});

describe('subpaths', () => {
  const specs = SUBPATHS.map(([subpath, file, runtime]) => ({ spec: `shiplog/${subpath.slice(2)}`, file, runtime }));

  it('each loads with import() from its own ESM file', async () => {
    const script = `
      const out = {};
      for (const spec of ${JSON.stringify(specs.map((s) => s.spec))}) {
        const m = await import(spec);
        out[spec] = { file: import.meta.resolve(spec), runtime: m.RUNTIME ?? null, exports: Object.keys(m).length };
      }
      console.log(JSON.stringify(out));`;
    const out = JSON.parse(await node(['--input-type=module', '-e', script])) as Record<string, { file: string; runtime: string | null; exports: number }>;
    for (const { spec, file, runtime } of specs) {
      expect(out[spec]?.file, spec).toMatch(new RegExp(`/dist/${file}\\.js$`));
      expect(out[spec]?.runtime, spec).toBe(runtime ?? null);
      expect(out[spec]?.exports, spec).toBeGreaterThan(0);
    }
  });

  it('each loads with require() from its own CJS file', async () => {
    const script = `
      const out = {};
      for (const spec of ${JSON.stringify(specs.map((s) => s.spec))}) {
        const m = require(spec);
        out[spec] = { file: require.resolve(spec), runtime: m.RUNTIME ?? null, exports: Object.keys(m).length };
      }
      console.log(JSON.stringify(out));`;
    const out = JSON.parse(await node(['-e', script])) as Record<string, { file: string; runtime: string | null; exports: number }>;
    for (const { spec, file, runtime } of specs) {
      expect(out[spec]?.file, spec).toMatch(new RegExp(`/dist/${file}\\.cjs$`));
      expect(out[spec]?.runtime, spec).toBe(runtime ?? null);
      expect(out[spec]?.exports, spec).toBeGreaterThan(0);
    }
  });
});
