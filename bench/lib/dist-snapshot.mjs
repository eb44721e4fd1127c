// The benchmarks measure the built package (dist/). Other work in the same checkout may
// rebuild dist/ at any moment (tsup cleans it first), so the bench takes a private copy of
// dist/ and package.json, under the same lock the builds use, and measures that copy.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const BUILD_LOCK = '/tmp/build.lock';

function hasFlock() {
  try {
    execFileSync('flock', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Copies dist/ and package.json into a temp directory (a package root named `shiplog`) and
 * returns its path plus a `remove()`. Fails when dist/ was never built: `npm run bench` builds.
 */
export function snapshotDist() {
  const root = mkdtempSync(join(tmpdir(), 'shiplog-dist-'));
  const copy = `cp -r dist package.json ${JSON.stringify(root)}/`;
  if (hasFlock()) execFileSync('flock', [BUILD_LOCK, 'sh', '-c', copy], { cwd: repoRoot, stdio: 'inherit' });
  else execFileSync('sh', ['-c', copy], { cwd: repoRoot, stdio: 'inherit' });
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    throw new Error('dist/index.js is missing: run `npm run bench` (it builds first) or `npx tsup`');
  }
  return { root, dist: join(root, 'dist'), remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** The dist/ directory the bench scripts import from: the snapshot when one was taken. */
export const benchDist = () => process.env.SHIPLOG_BENCH_DIST ?? join(repoRoot, 'dist');

/**
 * Bundles each `{ name: source }` case as an app would (esbuild, bundled and minified, plus
 * `options` such as platform and conditions) from inside the snapshot, so `shiplog` self-resolves
 * through its exports. Returns `{ name, code, raw, gzip }` per case (gzip level 9).
 */
export async function bundleCases(snapshot, cases, options) {
  const esbuild = await import('esbuild'); // not at the top: hot-path children import this file too
  const rows = [];
  for (const [name, source] of Object.entries(cases)) {
    process.stderr.write(`  esbuild: ${name}\n`);
    const entry = join(snapshot.root, `entry-${rows.length}.mjs`);
    writeFileSync(entry, `${source}\n`);
    const result = await esbuild.build({ entryPoints: [entry], bundle: true, minify: true, format: 'esm', write: false, logLevel: 'silent', ...options });
    const code = result.outputFiles[0].text;
    rows.push({ name, code, raw: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length });
  }
  return rows;
}
