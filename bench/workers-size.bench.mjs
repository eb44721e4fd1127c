// Workers bundle size (issues 3 and 17): minimal Workers with and without shiplog, bundled exactly
// as a user deploys them, `wrangler deploy --dry-run --minify --outdir` (wrangler 4.86.0, offline;
// wrangler defines process.env.NODE_ENV = "production" for deploy), then gzip -9 of the emitted
// worker.js. shiplog's share = with - without; target ≤ 7,000 B (issue 17). Also checks that no
// bundle imports a `node:` module (they run without nodejs_compat), and says which source files
// the bytes come from (esbuild metafile of the same Worker bundled from the sources).
// Prints one Markdown section on stdout (bench/run.mjs collects it into bench/RESULTS.md).
// Run alone: `npm run build && node bench/workers-size.bench.mjs`
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { repoRoot, snapshotDist } from './lib/dist-snapshot.mjs';
import { attributeSize, attributionTable } from './lib/size-attribution.mjs';

/** Issue 17: "Workers and Edge entries ≤ 7,000 B" (gzip -9). */
const TARGET_GZIP_BYTES = 7000;
const progress = (message) => process.stderr.write(`  ${message}\n`);

const PLAIN_WITH_SHIPLOG = `import { withShiplog } from 'shiplog/workers';
export default withShiplog({ service: 'bench' }, {
  fetch(request, env, ctx, log) { log.info('hello', { path: new URL(request.url).pathname }); return new Response('ok'); },
});`;

/**
 * wrangler bundles with esbuild's keepNames on by default (`keep_names = true`): every function
 * and class the minifier renames gets a `__name(fn, "originalName")` call, about 1.2 KB gzip of
 * shiplog's share. The `keep_names = false` rows measure the same Workers with that turned off.
 */
const NO_KEEP_NAMES = ' (keep_names = false)';

const CASES = {
  'plain Worker': `export default { fetch() { return new Response('ok'); } };`,
  'plain Worker + withShiplog': PLAIN_WITH_SHIPLOG,
  [`plain Worker${NO_KEEP_NAMES}`]: `export default { fetch() { return new Response('ok'); } };`,
  [`plain Worker + withShiplog${NO_KEEP_NAMES}`]: PLAIN_WITH_SHIPLOG,
  'Hono Worker': `import { Hono } from 'hono';
const app = new Hono();
app.get('/', (c) => c.text('ok'));
export default app;`,
  'Hono Worker + withShiplog + shiplog() middleware': `import { Hono } from 'hono';
import { withShiplog } from 'shiplog/workers';
import { shiplog } from 'shiplog/hono';
const app = new Hono();
app.use(shiplog());
app.get('/', (c) => { c.var.log.info('hello'); return c.text('ok'); });
export default withShiplog({ service: 'bench' }, app);`,
};

/** An import or require of a node: builtin (a string passed to getBuiltinModule is not one). */
const NODE_IMPORT = /(?:\bimport\s*(?:[\w${}\s,*]+from\s*)?|\bimport\s*\(\s*|\brequire\s*\(\s*)["']node:[\w/]+["']/;

/** The plain Worker with withShiplog, from the sources: which files its bytes come from. */
const PLAIN_WITH_SHIPLOG_FROM_SOURCES = `import { withShiplog } from './runtimes/workers/index.ts';
export default withShiplog({ service: 'bench' }, {
  fetch(request, env, ctx, log) { log.info('hello', { path: new URL(request.url).pathname }); return new Response('ok'); },
});`;

const parts = await attributeSize(PLAIN_WITH_SHIPLOG_FROM_SOURCES, { conditions: ['workerd', 'worker'] });
const snapshot = snapshotDist();
try {
  // The snapshot is a package root named `shiplog`: worker files inside it import `shiplog/*`
  // by self-reference, and hono from the checkout's node_modules.
  symlinkSync(join(repoRoot, 'node_modules'), join(snapshot.root, 'node_modules'));
  const wrangler = join(repoRoot, 'node_modules', '.bin', 'wrangler');
  const rows = [];
  for (const [name, source] of Object.entries(CASES)) {
    progress(`wrangler dry-run: ${name}`);
    const dir = join(snapshot.root, 'workers', name.replace(/\W+/g, '-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'worker.js'), `${source}\n`);
    const keepNames = name.endsWith(NO_KEEP_NAMES) ? 'keep_names = false\n' : '';
    writeFileSync(join(dir, 'wrangler.toml'), `name = "size-bench"\nmain = "worker.js"\ncompatibility_date = "2025-09-01"\n${keepNames}`);
    execFileSync(wrangler, ['deploy', '--dry-run', '--minify', '--outdir', join(dir, 'out'), '--config', join(dir, 'wrangler.toml')], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' },
    });
    const code = readFileSync(join(dir, 'out', 'worker.js'), 'utf8');
    rows.push({ name, raw: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length, nodeImport: NODE_IMPORT.test(code) });
  }
  const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
  const share = (withIt, without) => byName[withIt].gzip - byName[without].gzip;
  const plainShare = share('plain Worker + withShiplog', 'plain Worker');
  const honoShare = share('Hono Worker + withShiplog + shiplog() middleware', 'Hono Worker');
  const plainShareNoKeepNames = share(`plain Worker + withShiplog${NO_KEEP_NAMES}`, `plain Worker${NO_KEEP_NAMES}`);
  const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
  const bytes = (n) => `${n.toLocaleString('en-US')} B`;

  const out = [];
  out.push('## Workers bundle size (wrangler deploy --dry-run --minify)');
  out.push('');
  out.push('| Worker | minified | gzip -9 | `node:` import |');
  out.push('| --- | ---: | ---: | --- |');
  for (const r of rows) out.push(`| ${r.name} | ${kb(r.raw)} | ${kb(r.gzip)} | ${r.nodeImport ? '**yes**' : 'none'} |`);
  out.push('');
  out.push(`shiplog's share (gzip, with − without): plain Worker **${bytes(plainShare)}**, Hono Worker **${bytes(honoShare)}**; ` +
    `target ≤ ${bytes(TARGET_GZIP_BYTES)}: ${plainShare <= TARGET_GZIP_BYTES ? '**met**' : '**missed**'} (plain), ` +
    `${honoShare <= TARGET_GZIP_BYTES ? '**met**' : '**missed**'} (Hono). ` +
    `With \`keep_names = false\` in wrangler.toml (wrangler's default \`true\` adds a \`__name()\` call per renamed function and class): ` +
    `plain Worker **${bytes(plainShareNoKeepNames)}**.`);
  out.push('');
  out.push('Where the plain Worker\'s bytes come from (`withShiplog` from runtimes/workers, esbuild --minify with conditions workerd/worker and `process.env.NODE_ENV` = production, as wrangler deploys):');
  out.push('');
  out.push(...attributionTable(parts));
  out.push('');
  out.push('Bundled without `nodejs_compat` (compatibility_date 2025-09-01) from a snapshot of dist/. ' +
    "The `getLogger()` lookup passes the string 'node:async_hooks' to `process.getBuiltinModule` at call time, guarded; it is not an import.");
  out.push('');
  out.push('Command: `npm run build && node bench/workers-size.bench.mjs`');
  console.log(out.join('\n'));
  // A node: import would break Workers without nodejs_compat: fail the bench loudly.
  if (rows.some((r) => r.nodeImport)) process.exitCode = 1;
} finally {
  snapshot.remove();
}
