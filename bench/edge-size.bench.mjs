// Vercel Edge bundle size (issues 6 and 17): the built edge entry and typical Edge/Next.js code,
// bundled as an edge bundler does for a deploy (esbuild 0.28, `edge-light` condition, ESM,
// minified, `process.env.NODE_ENV` = production as Next.js and Vercel define it), then gzip -9.
// "edge entry" bundles every export of dist/edge.js (nothing can be tree-shaken: the ceiling);
// the other rows are what an app actually ships; target ≤ 7,000 B (issue 17). Also checks that no
// bundle imports `node:`, and says which source files the bytes come from (esbuild metafile).
// Prints one Markdown section on stdout (bench/run.mjs collects it into bench/RESULTS.md).
// Run alone: `npm run build && node bench/edge-size.bench.mjs`
import { bundleCases, snapshotDist } from './lib/dist-snapshot.mjs';
import { attributeSize, attributionTable } from './lib/size-attribution.mjs';

/** Issue 17: "Workers and Edge entries ≤ 7,000 B" (gzip -9). */
const TARGET_GZIP_BYTES = 7000;
const NODE_IMPORT = /(?:\bimport\s*(?:[\w${}\s,*]+from\s*)?|\bimport\s*\(\s*|\brequire\s*\(\s*)["']node:[\w/]+["']/;

const CASES = {
  'edge entry (every export of dist/edge.js)': `export * from 'shiplog/edge';`,
  "Edge function: `withShiplog` from 'shiplog' (edge-light)": `import { withShiplog } from 'shiplog';
export default withShiplog({ service: 'bench' }, async (request, context, log) => {
  log.info('hello', { path: new URL(request.url).pathname });
  return new Response('ok');
});`,
  "Next.js route: `withLogger` from 'shiplog/next'": `import { withLogger } from 'shiplog/next';
export const GET = withLogger(async (request, ctx, log) => { log.info('hello'); return new Response('ok'); });`,
  "core only: `createLogger` from 'shiplog/edge'": `import { createLogger } from 'shiplog/edge';
export const log = createLogger({ service: 'bench' });`,
};

const snapshot = snapshotDist();
try {
  const rows = (await bundleCases(snapshot, CASES, { platform: 'neutral', conditions: ['edge-light'], define: { 'process.env.NODE_ENV': '"production"' } })).map((row) => ({ ...row, nodeImport: NODE_IMPORT.test(row.code) }));
  const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
  const bytes = (n) => `${n.toLocaleString('en-US')} B`;
  const parts = await attributeSize(`export * from './runtimes/edge/index.ts';`, { conditions: ['edge-light'] });
  const entryRow = rows[0];
  const out = [];
  out.push('## Vercel Edge bundle size (esbuild, edge-light, minified + gzip -9)');
  out.push('');
  out.push('| bundle | minified | gzip -9 | `node:` import |');
  out.push('| --- | ---: | ---: | --- |');
  for (const r of rows) out.push(`| ${r.name} | ${kb(r.raw)} | ${kb(r.gzip)} | ${r.nodeImport ? '**yes**' : 'none'} |`);
  out.push('');
  out.push(`Edge entry: **${bytes(entryRow.gzip)}** gzip; target ≤ ${bytes(TARGET_GZIP_BYTES)}: ${entryRow.gzip <= TARGET_GZIP_BYTES ? '**met**' : '**missed**'}. ` +
    `The Edge wrapper itself (withShiplog, waitUntil lookup, fetch lifecycle) adds **${bytes(rows[1].gzip - rows[3].gzip)}** ` +
    `(Edge-function row − core-only row); the rest is the shared core (serializer, pipeline, console/http sinks).`);
  out.push('');
  out.push('Where the edge entry\'s bytes come from (every export of runtimes/edge, esbuild --minify, edge-light, `process.env.NODE_ENV` = production):');
  out.push('');
  out.push(...attributionTable(parts));
  out.push('');
  out.push('Command: `npm run build && node bench/edge-size.bench.mjs`');
  console.log(out.join('\n'));
  if (rows.some((r) => r.nodeImport)) process.exitCode = 1;
} finally {
  snapshot.remove();
}
