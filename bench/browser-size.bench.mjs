// Browser bundle size (issues 4 and 17): what a page ships for "log to my endpoint, batched, and
// send the rest when the tab closes". Each entry is bundled as a browser bundler does (esbuild,
// `browser` condition, ESM, minified: esbuild then also sets process.env.NODE_ENV to "production"),
// then gzip -9. The shiplog rows use a private copy of dist/. Target for the browser entry:
// <= 5,000 B gzip (issue 17). Then the browser entry is bundled again from source, so esbuild's
// metafile can say which parts its bytes go to (lean core, reused core modules, browser runtime),
// and once more as a development build, to show what option checking adds there (and not here).
// Prints one Markdown section on stdout (bench/run.mjs collects it into bench/RESULTS.md).
// Run alone: `npm run build && node bench/browser-size.bench.mjs`
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bundleCases, repoRoot, snapshotDist } from './lib/dist-snapshot.mjs';
import { attributeSize } from './lib/size-attribution.mjs';

/** Issue 17: the browser entry (createLogger with endpoint, beacons, lifecycle, offline store, errors). */
const TARGET_GZIP_BYTES = 5000;

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
  "pino's browser build: pino({ browser: { transmit } }) posting each event by sendBeacon (no batching, retry, bounds, redaction or offline store)": `import pino from 'pino';
const log = pino({ browser: { transmit: { send(level, logEvent) { navigator.sendBeacon('/ingest', JSON.stringify(logEvent)); } } } });
log.info({ orderId: 'ord_1' }, 'order created');`,
  'LogTape: configure + fromAsyncSink(fetch keepalive) + jsonLinesFormatter': `import { configure, getLogger, fromAsyncSink, jsonLinesFormatter } from '@logtape/logtape';
await configure({
  sinks: { http: fromAsyncSink(async (record) => { await fetch('/ingest', { method: 'POST', body: jsonLinesFormatter(record), keepalive: true }); }) },
  loggers: [{ category: ['app'], lowestLevel: 'info', sinks: ['http'] }],
});
getLogger(['app']).info('order created', { orderId: 'ord_1' });`,
};

/** The flags every row is bundled with (bench/lib/dist-snapshot.mjs adds bundle, minify, format esm). */
const FLAGS = { bundle: true, minify: true, format: 'esm', platform: 'browser', conditions: ['browser'] };
const FLAGS_TEXT = `esbuild ${esbuild.version}: bundle, minify, format esm, platform browser, conditions [browser]; then gzip -9 (zlib level 9)`;
const build = (options) => esbuild.build({ ...FLAGS, write: false, logLevel: 'silent', ...options });

/** Parts of the browser entry, by source file (first match wins). */
const PARTS = [
  ['lean core: serializer (src/lean/serializer.ts, and the marker text it shares with the core, src/serialize-text.ts)', (f) => f === 'src/lean/serializer.ts' || f === 'src/serialize-text.ts'],
  ['lean core: pipeline (src/lean/pipeline.ts)', (f) => f === 'src/lean/pipeline.ts'],
  ['lean core: logger (src/lean/logger.ts)', (f) => f === 'src/lean/logger.ts'],
  ['reused: default redaction, keys and URL secrets (src/redact.ts, src/redact-url.ts)', (f) => f === 'src/redact.ts' || f === 'src/redact-url.ts'],
  ['reused: line cut to maxEventBytes (src/serialize-line.ts)', (f) => f === 'src/serialize-line.ts'],
  ['reused: event ids and Idempotency-Key (src/event-id.ts)', (f) => f === 'src/event-id.ts'],
  ['reused: levels, line head, backoff, timers, defaults, console sink (other src/)', (f) => f.startsWith('src/')],
  ['browser sink: fetch keepalive, beacons, 64 KB quota (browser-sink.ts)', (f) => f === 'runtimes/browser/browser-sink.ts'],
  ['offline store (offline-store.ts)', (f) => f === 'runtimes/browser/offline-store.ts'],
  ['page lifecycle and uncaught errors (page-lifecycle.ts, uncaught-errors.ts)', (f) => /page-lifecycle|uncaught-errors/.test(f)],
  ['createLogger: options, wiring, beacon at hide (browser-logger.ts)', (f) => f.startsWith('runtimes/browser/')],
  ['other', () => true],
];

/**
 * What leaving a feature out would save (for the size budget's trade-offs; nothing ships this way):
 * the browser entry bundled from the sources with files replaced by stand-ins that do nothing.
 * A file replaced whole by a string; an edit is [search, replacement] inside the file.
 */
const REDACTION_OFF = {
  'src/redact.ts': `export const DEFAULT_SENSITIVE_PATTERNS = [], DEFAULT_SENSITIVE_WORDS = [], DEFAULT_SENSITIVE_KEYS = [], DEFAULT_SECRET_URL_PARAMS = [];
export const normalizeKey = (key) => key;
export class KeyPolicy { urls = false; isSensitive() { return false; } isSecretParam() { return false; } }`,
  'src/redact-url.ts': 'export const mayHoldUrlSecret = () => false; export const censorUrlSecrets = (text) => text;',
};
const WITHOUT = {
  'offline store (localStorage queue, handed-off beacons kept for re-sending)': {
    'runtimes/browser/offline-store.ts':
      'export const noOfflineStats = () => ({ stored: 0, restored: 0, dropped: 0, handedOffKept: 0, handedOffResent: 0 }); export function createOfflineStore() { return undefined; }',
  },
  'uncaught errors and unhandled rejections logged': { 'runtimes/browser/uncaught-errors.ts': 'export function captureUncaughtErrors() { return []; }' },
  'line cut to maxEventBytes (bounded members stay)': {
    'src/serialize-line.ts': 'export const utf8Length = (text) => new TextEncoder().encode(text).length; export const fitLine = (line) => line;',
  },
  'Unicode lookalikes and invisible characters in key redaction (ASCII keys only)': {
    'src/redact.ts': [[/\n  if \(\/\[\^\\x00-\\x7f\]\/\.test\(text\)\) \{[\s\S]*?\n  \}\n/, '\n']],
  },
  'default redaction entirely (sensitive keys, URL secrets)': REDACTION_OFF,
  'all of the above': {
    ...REDACTION_OFF,
    'runtimes/browser/offline-store.ts':
      'export const noOfflineStats = () => ({ stored: 0, restored: 0, dropped: 0, handedOffKept: 0, handedOffResent: 0 }); export function createOfflineStore() { return undefined; }',
    'runtimes/browser/uncaught-errors.ts': 'export function captureUncaughtErrors() { return []; }',
    'src/serialize-line.ts': 'export const utf8Length = (text) => new TextEncoder().encode(text).length; export const fitLine = (line) => line;',
  },
};

/** The browser entry's production gzip size with `replaced` files (relative path → stand-in or edits). */
async function gzipWithout(contents, replaced) {
  const result = await build({
    stdin: { contents, resolveDir: repoRoot, loader: 'ts' },
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [
      {
        name: 'leave-out',
        setup(b) {
          b.onLoad({ filter: /\.ts$/ }, ({ path }) => {
            const file = Object.keys(replaced).find((f) => path.endsWith(`/${f}`));
            if (file === undefined) return undefined;
            const stand = replaced[file];
            if (typeof stand === 'string') return { contents: stand, loader: 'js' };
            let source = readFileSync(path, 'utf8');
            for (const [search, replacement] of stand) {
              const next = source.replace(search, replacement);
              if (next === source) throw new Error(`leave-out stub no longer matches ${file}: ${search}`);
              source = next;
            }
            return { contents: source, loader: 'ts' };
          });
        },
      },
    ],
  });
  return gzipSync(result.outputFiles[0].contents, { level: 9 }).length;
}

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
const snapshot = snapshotDist();
try {
  // Other libraries resolve from the repository's node_modules.
  const rows = await bundleCases(snapshot, CASES, { platform: FLAGS.platform, conditions: FLAGS.conditions, nodePaths: [join(repoRoot, 'node_modules')] });

  // Where the bytes of the first row come from: bundled from the sources as a production build, per file, grouped in parts.
  const fromSourceCode = CASES[Object.keys(CASES)[0]].replace("'shiplog/browser'", "'./runtimes/browser/index.ts'");
  const { minified: sourceMinified, gzip: sourceGzip, files: byFile } = await attributeSize(fromSourceCode, { platform: FLAGS.platform, conditions: FLAGS.conditions });
  const parts = PARTS.map(([name]) => ({ name, bytes: 0, gzipShare: 0 }));
  for (const f of byFile) {
    const part = parts[PARTS.findIndex(([, matches]) => matches(f.file))];
    part.bytes += f.bytes;
    part.gzipShare += f.gzipShare;
  }

  // A development build (process.env.NODE_ENV = "development"): option checking is in it.
  const development = await build({
    stdin: { contents: fromSourceCode, resolveDir: repoRoot, loader: 'ts' },
    define: { 'process.env.NODE_ENV': '"development"' },
  });
  const developmentGzip = gzipSync(development.outputFiles[0].contents, { level: 9 }).length;
  const without = [];
  for (const [feature, replaced] of Object.entries(WITHOUT)) without.push([feature, await gzipWithout(fromSourceCode, replaced)]);

  const [browserRow] = rows;
  const out = [];
  out.push('## Browser bundle size (esbuild, browser condition, minified + gzip -9)');
  out.push('');
  out.push(`Flags: ${FLAGS_TEXT}.`);
  out.push('');
  out.push('| bundle | minified | gzip -9 |');
  out.push('| --- | ---: | ---: |');
  for (const r of rows) out.push(`| ${r.name} | ${kb(r.raw)} | ${kb(r.gzip)} (${r.gzip} B) |`);
  out.push('');
  out.push(
    `Browser entry: **${browserRow.gzip} B** gzip (${kb(browserRow.gzip)}); target ≤ ${TARGET_GZIP_BYTES} B: ${browserRow.gzip <= TARGET_GZIP_BYTES ? '**met**' : `**missed** by ${browserRow.gzip - TARGET_GZIP_BYTES} B`}. ` +
      `It runs on the browser's lean core (src/lean: serializer, logger, pipeline) and reuses the core's redaction, line cut, event ids and helpers. ` +
      `Where its bytes go, bundled from the sources (${sourceMinified} B minified, ${sourceGzip} B gzip); the gzip column is each part's share, proportional to its minified bytes (bench/lib/size-attribution.mjs; an estimate: gzip does not split by file):`,
  );
  out.push('');
  out.push('| part | minified | ≈ gzip |');
  out.push('| --- | ---: | ---: |');
  for (const part of parts) if (part.bytes > 0) out.push(`| ${part.name} | ${part.bytes} B | ${part.gzipShare} B |`);
  out.push('');
  out.push(
    `Option checking (the core's rules, with "did you mean" hints) runs only where \`process.env.NODE_ENV !== 'production'\` at call time: a development build of the same page is ${developmentGzip} B gzip, ` +
      `${developmentGzip - sourceGzip} B more; a production build (above) leaves it out.`,
  );
  out.push('');
  out.push(
    'What leaving a feature out would save (a measurement for the size budget, not a build option: issue 17 asks the browser entry for all of these but the uncaught-error capture, which the entry has by default). ' +
      'The same production build from the sources, with the feature\'s files replaced by stand-ins that do nothing:',
  );
  out.push('');
  out.push('| left out | gzip | saved |');
  out.push('| --- | ---: | ---: |');
  out.push(`| nothing (the browser entry from the sources) | ${sourceGzip} B | — |`);
  for (const [feature, gzip] of without) out.push(`| ${feature} | ${gzip} B | ${sourceGzip - gzip} B |`);
  out.push('');
  out.push('Largest files (minified bytes):');
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
