// Browser bundle size (issue 4): what a page ships for "log to my endpoint, batched, and send the
// rest when the tab closes". Each entry is bundled as a browser bundler does (esbuild, `browser`
// condition, ESM, minified), then gzip -9. The shiplog rows use a private copy of dist/.
// Then the shiplog browser entry is bundled again from source, so esbuild's metafile can say
// how many minified bytes are the browser runtime (runtimes/browser) and how many the core.
// Prints one Markdown section on stdout (bench/run.mjs collects it into bench/RESULTS.md).
// Run alone: `npm run build && node bench/browser-size.bench.mjs`
import * as esbuild from 'esbuild';
import { join, relative } from 'node:path';
import { bundleCases, repoRoot, snapshotDist } from './lib/dist-snapshot.mjs';

const TARGET_GZIP_BYTES = 5 * 1024;

const CASES = {
  "shiplog/browser: createLogger({ endpoint }) (fetch keepalive + beacon + page lifecycle + offline + errors)": `import { createLogger } from 'shiplog/browser';
const log = createLogger({ endpoint: '/ingest' });
log.info('order created', { orderId: 'ord_1' });`,
  "shiplog core only, for comparison: createLoggerWith + httpSink (no page lifecycle)": `import { createLoggerWith, httpSink } from 'shiplog/browser';
const log = createLoggerWith(() => [httpSink({ url: '/ingest', keepalive: true })], {});
log.info('order created', { orderId: 'ord_1' });`,
  'evlog: initLogger + createBrowserLogDrain (evlog/browser)': `import { initLogger, log } from 'evlog';
import { createBrowserLogDrain } from 'evlog/browser';
initLogger({ drain: createBrowserLogDrain({ drain: { endpoint: '/ingest' } }) });
log.info({ message: 'order created', orderId: 'ord_1' });`,
  'LogTape: configure + fromAsyncSink(fetch keepalive) + jsonLinesFormatter': `import { configure, getLogger, fromAsyncSink, jsonLinesFormatter } from '@logtape/logtape';
await configure({
  sinks: { http: fromAsyncSink(async (record) => { await fetch('/ingest', { method: 'POST', body: jsonLinesFormatter(record), keepalive: true }); }) },
  loggers: [{ category: ['app'], lowestLevel: 'info', sinks: ['http'] }],
});
getLogger(['app']).info('order created', { orderId: 'ord_1' });`,
};

const build = (options) =>
  esbuild.build({ bundle: true, minify: true, format: 'esm', platform: 'browser', conditions: ['browser'], write: false, logLevel: 'silent', ...options });

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
const snapshot = snapshotDist();
try {
  // Other libraries resolve from the repository's node_modules.
  const rows = await bundleCases(snapshot, CASES, { platform: 'browser', conditions: ['browser'], nodePaths: [join(repoRoot, 'node_modules')] });

  // Where the bytes of the first row come from, by source folder (minified, before gzip).
  const fromSource = await build({
    stdin: { contents: CASES[Object.keys(CASES)[0]].replace("'shiplog/browser'", "'./runtimes/browser/index.ts'"), resolveDir: repoRoot, loader: 'ts' },
    metafile: true,
  });
  const inputs = Object.values(fromSource.metafile.outputs)[0].inputs;
  const byFile = Object.entries(inputs)
    .map(([file, { bytesInOutput }]) => ({ file: relative(repoRoot, join(repoRoot, file)), bytes: bytesInOutput }))
    .filter((f) => f.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  const runtimeBytes = byFile.filter((f) => f.file.startsWith('runtimes/browser/')).reduce((sum, f) => sum + f.bytes, 0);
  const totalBytes = byFile.reduce((sum, f) => sum + f.bytes, 0);

  const [browserRow] = rows;
  const out = [];
  out.push('## Browser bundle size (esbuild, browser condition, minified + gzip -9)');
  out.push('');
  out.push('| bundle | minified | gzip -9 |');
  out.push('| --- | ---: | ---: |');
  for (const r of rows) out.push(`| ${r.name} | ${kb(r.raw)} | ${kb(r.gzip)} |`);
  out.push('');
  out.push(
    `Browser entry: **${kb(browserRow.gzip)}** gzip; target ≤ ${kb(TARGET_GZIP_BYTES)}: ${browserRow.gzip <= TARGET_GZIP_BYTES ? '**met**' : '**missed**'}. ` +
      `Of its ${kb(totalBytes)} minified, the browser runtime (runtimes/browser: sink, beacons, lifecycle, offline store, error capture) is ` +
      `**${kb(runtimeBytes)}** (${Math.round((100 * runtimeBytes) / totalBytes)}%); the rest is the shared core. Largest files (minified bytes):`,
  );
  out.push('');
  out.push('| file | minified |');
  out.push('| --- | ---: |');
  for (const f of byFile.slice(0, 12)) out.push(`| ${f.file} | ${f.bytes} B |`);
  out.push('');
  out.push('Command: `npm run build && node bench/browser-size.bench.mjs`');
  console.log(out.join('\n'));
} finally {
  snapshot.remove();
}
