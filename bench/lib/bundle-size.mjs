// Part (c) of the core benchmark: what a browser app pays in bytes for "a logger that ships
// events to my endpoint". Each entry below is written to a temp dir and bundled with esbuild
// (browser platform, minified, ESM), then gzipped at level 9. For shiplog the same entry is
// also bundled from src/ so the esbuild metafile can say which source files the bytes come from.
import * as esbuild from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { benchDist, repoRoot } from './dist-snapshot.mjs';

const dist = (file) => JSON.stringify(join(benchDist(), file));

/**
 * The same job for each library: create a logger that POSTs JSON to /ingest, log one event.
 * A function: the dist/ to bundle is only known once the bench has taken its snapshot.
 */
const bundleEntries = () => [
  {
    name: 'shiplog: createLogger + httpSink',
    source: `import { createLogger, httpSink } from ${dist('index.js')};
const log = createLogger({ sinks: [httpSink({ url: '/ingest' })] });
log.info('order created', { orderId: 'ord_1' });`,
    target: true,
  },
  {
    name: "shiplog: `import { createLogger } from 'shiplog'`, browser condition (dist/browser.js: default sinks with beacon, page lifecycle)",
    source: `import { createLogger } from 'shiplog';
const log = createLogger({ endpoint: '/ingest' });
log.info('order created', { orderId: 'ord_1' });`,
  },
  {
    name: 'evlog: initLogger + createHttpLogDrain (evlog/http)',
    source: `import { initLogger, log } from 'evlog';
import { createHttpLogDrain } from 'evlog/http';
initLogger({ drain: createHttpLogDrain({ drain: { endpoint: '/ingest' } }) });
log.info({ message: 'order created', orderId: 'ord_1' });`,
  },
  {
    name: 'LogTape: configure + fromAsyncSink(fetch) + jsonLinesFormatter',
    source: `import { configure, getLogger, fromAsyncSink, jsonLinesFormatter } from '@logtape/logtape';
await configure({
  sinks: { http: fromAsyncSink(async (record) => { await fetch('/ingest', { method: 'POST', body: jsonLinesFormatter(record), keepalive: true }); }) },
  loggers: [{ category: ['app'], lowestLevel: 'info', sinks: ['http'] }],
});
getLogger(['app']).info('order created', { orderId: 'ord_1' });`,
  },
  {
    name: 'pino browser build: transmit.send (one request per event, no batching)',
    source: `import pino from 'pino';
const log = pino({ browser: { asObject: true, transmit: { level: 'info', send(level, logEvent) { fetch('/ingest', { method: 'POST', body: JSON.stringify(logEvent), keepalive: true }); } } } });
log.info({ orderId: 'ord_1' }, 'order created');`,
  },
];

async function bundle(source, dir, index) {
  const entry = join(dir, `entry-${index}.mjs`);
  writeFileSync(entry, source);
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: repoRoot,
    // Entries live in a temp dir: shiplog resolves as a package (its exports and the browser
    // condition) from the dir's node_modules link, other packages from the repo.
    nodePaths: [join(dir, 'node_modules'), join(repoRoot, 'node_modules')],
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length, metafile: result.metafile };
}

/** Top source files by bytes in the minified output (before gzip). */
function bytesByInput(metafile, top = 15) {
  const inputs = Object.values(metafile.outputs)[0].inputs;
  return Object.entries(inputs)
    .map(([file, { bytesInOutput }]) => ({ file, bytes: bytesInOutput }))
    .filter((row) => row.bytes > 0 && !row.file.includes('entry-'))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}

/** Runs part (c): { rows: [{ name, minified, gzip, target }], shiplogInputs }. */
export async function runBundleSize() {
  const dir = mkdtempSync(join(tmpdir(), 'shiplog-bundle-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(dirname(benchDist()), join(dir, 'node_modules', 'shiplog'), 'dir');
  try {
    const rows = [];
    let shiplogInputs = [];
    const entries = bundleEntries();
    for (const [index, entry] of entries.entries()) {
      const { minified, gzip } = await bundle(entry.source, dir, index);
      rows.push({ name: entry.name, minified, gzip, target: entry.target === true, source: entry.source });
    }
    // dist/ has no source maps, so attribute bytes by bundling the same entry from src/.
    const target = entries.find((e) => e.target);
    const fromSource = target.source.replace(dist('index.js'), JSON.stringify(join(repoRoot, 'src', 'index.ts')));
    const { metafile } = await bundle(fromSource, dir, 'src');
    shiplogInputs = bytesByInput(metafile);
    return { rows, shiplogInputs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
