// Type-checks every ```ts code block of README.md and docs/*.md against the BUILT package, the way a
// user's project would see it: each block becomes its own module under .cache/doc-types/ (inside
// this package, so `import … from 'shiplog'` resolves through package.json "exports" to dist/ by
// self-reference), compiled with strict settings under moduleResolution `nodenext` and `bundler`.
// A block opened with ```ts nocheck is skipped (for deliberate fragments; use sparingly).
// Run `npm run build` first. Exits 1 and prints file:line of the markdown on any error.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const outDir = join(root, '.cache', 'doc-types');

if (!existsSync(join(root, 'dist', 'index.d.ts'))) {
  console.error('check-doc-types: dist/ is missing; run `npm run build` first');
  process.exit(1);
}

// What the examples assume exists around them, and nothing else: a fetch `Request` in scope
// (`log.request(request)`), a caught error, and the modules of a Next.js app.
const GLOBALS = `
declare global {
  /** The incoming request of the surrounding handler. */
  const request: Request;
  /** A caught error. */
  const err: Error;
}
export {};
`;
// A script (no import/export), so these declare modules rather than augment them.
const MODULES = `
declare module 'next/server' {
  export function after(task: Promise<unknown> | (() => unknown)): void;
}
declare module '@/lib/logger' {
  export const logger: import('shiplog').Logger;
}
`;

/** Every ```ts block of a markdown file: { line, code } (line of the opening fence, 1-based). */
function blocksOf(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript)(\s+.*)?$/.exec(lines[i].trim());
    if (open === null) continue;
    const end = lines.findIndex((line, j) => j > i && line.trim() === '```');
    if (end === -1) throw new Error(`${file}:${i + 1}: unclosed code block`);
    if (!/\bnocheck\b/.test(open[2] ?? '')) blocks.push({ line: i + 1, code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}

const sources = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'globals.d.ts'), GLOBALS);
writeFileSync(join(outDir, 'modules.d.ts'), MODULES);
/** Generated file → where its block starts in the markdown. */
const origin = new Map();
for (const source of sources) {
  for (const { line, code } of blocksOf(join(root, source))) {
    const file = join(outDir, `${source.replace(/[/.]/g, '_')}_${line}.ts`);
    // `export {}` keeps a block without imports a module, so blocks never share a scope.
    writeFileSync(file, `${code}\nexport {};\n`);
    origin.set(file, { source, line });
  }
}

const strict = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  types: ['node'],
  typeRoots: [join(root, 'node_modules', '@types')],
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  skipLibCheck: false,
  allowImportingTsExtensions: false,
};
const modes = {
  nodenext: { ...strict, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  bundler: { ...strict, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler },
};

let errors = 0;
const files = [...origin.keys(), join(outDir, 'globals.d.ts'), join(outDir, 'modules.d.ts')];
for (const [mode, options] of Object.entries(modes)) {
  const program = ts.createProgram(files, options);
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file === undefined || origin.has(d.file.fileName) || !d.file.fileName.includes('node_modules'));
  for (const d of diagnostics) {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
    if (d.file === undefined) {
      console.error(`[${mode}] TS${d.code}: ${text}`);
    } else {
      const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
      const at = origin.get(d.file.fileName);
      const where = at === undefined ? relative(root, d.file.fileName) : `${at.source}:${at.line + 1 + line}`;
      console.error(`[${mode}] ${where}: TS${d.code}: ${text}`);
    }
    errors++;
  }
}
// docs/node.md's TypeScript note: under `bundler`, 'shiplog' has the core's types unless the
// `node` condition is added; with it, the Node build's.
const probe = join(outDir, 'probe_node_condition.ts');
writeFileSync(probe, "import { fileSink, createLogger } from 'shiplog';\ncreateLogger({ file: { dir: 'logs' }, sinks: [fileSink()] });\n");
const probeErrors = (extra) => ts.getPreEmitDiagnostics(ts.createProgram([probe], { ...modes.bundler, ...extra })).length;
if (probeErrors({}) === 0) {
  console.error('[bundler] expected the core types for `shiplog` without the node condition (docs/node.md, TypeScript)');
  errors++;
}
if (probeErrors({ customConditions: ['node'] }) !== 0) {
  console.error('[bundler + customConditions node] `shiplog` does not get the Node build types (docs/node.md, TypeScript)');
  errors++;
}
console.log(`check-doc-types: ${origin.size} blocks from ${sources.length} files, moduleResolution nodenext and bundler: ${errors} error(s)`);
process.exit(errors === 0 ? 0 : 1);
