#!/usr/bin/env node
/**
 * Prints which core modules (src/) each file outside the core reaches into: runtimes/** and the
 * framework adapters. `node scripts/import-graph.mjs` for the graph, `--check` to fail (exit 1)
 * when one of them imports a core module other than src/index.ts (the public API) or
 * src/internal.ts (the building blocks shiplog's own entries assemble).
 * Static text scan of import/export specifiers: no build, no dependencies.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository scanned: this one, or `--root <dir>` (the boundary test scans a scratch tree). */
const rootFlag = process.argv.indexOf('--root');
const root = rootFlag === -1 ? resolve(dirname(fileURLToPath(import.meta.url)), '..') : resolve(process.argv[rootFlag + 1]);
/** The only core modules code outside the core (and the adapters) may import. */
export const ALLOWED = new Set(['src/index.ts', 'src/internal.ts']);

function walk(dir) {
  const out = [];
  if (!existsSync(join(root, dir))) return out;
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) out.push(...walk(path));
    else if (/\.(ts|mts|cts)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const SPECIFIER = /(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Relative imports of `file`, as repository paths (`.js` specifiers mapped to their `.ts` source). */
function importsOf(file) {
  const text = readFileSync(join(root, file), 'utf8');
  const found = new Set();
  for (const match of text.matchAll(SPECIFIER)) {
    const spec = match[1] ?? match[2];
    if (!spec.startsWith('.')) continue;
    found.add(relative(root, resolve(root, dirname(file), spec)).replace(/\.js$/, '.ts'));
  }
  return [...found];
}

/** Files whose imports of the core are restricted: every runtime, and the framework adapters. */
function outsiders() {
  const adapters = walk('src/adapters');
  return [...walk('runtimes'), ...adapters];
}

export function graph() {
  const edges = [];
  for (const file of outsiders()) {
    for (const target of importsOf(file)) {
      if (!target.startsWith('src/')) continue;
      // An adapter may use its sibling adapters; a runtime may not reach into them.
      if (file.startsWith('src/adapters/') && target.startsWith('src/adapters/')) continue;
      edges.push({ from: file, to: target });
    }
  }
  return edges;
}

const edges = graph();
if (process.argv.includes('--check')) {
  const bad = edges.filter((edge) => !ALLOWED.has(edge.to));
  for (const { from, to } of bad) console.error(`boundary violation: ${from} imports ${to} (use a public entry such as src/index.ts, or src/internal.ts)`);
  process.exit(bad.length === 0 ? 0 : 1);
}
const byFile = new Map();
for (const { from, to } of edges) byFile.set(from, [...(byFile.get(from) ?? []), to]);
for (const [from, targets] of [...byFile].sort()) console.log(`${from} -> ${targets.sort().join(', ')}`);
const modules = new Set(edges.map((edge) => edge.to));
const core = walk('src').filter((f) => !f.startsWith('src/adapters/'));
console.log(`\n${byFile.size} files outside the core import ${modules.size} of ${core.length} core modules: ${[...modules].sort().join(', ')}`);
