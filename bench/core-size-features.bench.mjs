// What each core feature costs in the browser bundle of createLogger + httpSink: the same
// bundle is built with one feature stubbed out at a time (esbuild onLoad rewrite of src/), and
// the gzip difference is that feature's share. For deciding what a size budget can afford.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const ENTRY = `import { createLogger, httpSink } from './src/index.ts';
const log = createLogger({ sinks: [httpSink({ url: '/ingest' })] });
log.info('order created', { orderId: 'ord_1' });`;

/** Feature name → { file pattern: [[search, replacement], …] } that removes it. */
const FEATURES = {
  'serializer: Date, Map, Set, typed arrays, URL (credentials removed), Headers, Request, Response, toJSON': {
    'src/serialize\\.ts$': [[/  #special\(v: object[\s\S]*?\n  \}\n/, '  #special(v, depth, paths) {\n    return this.#braced(v, depth, paths);\n  }\n']],
  },
  'serializer: Error fields, cause chain, AggregateError': {
    'src/serialize\\.ts$': [[/  #error\(e: Error[\s\S]*?\n  \}\n\n(  \/\*\*[\s\S]*?\*\/\n)?  #array/, '  #error(e, depth, paths) {\n    return this.#braced(e, depth, paths);\n  }\n\n  #array']],
  },
  'request loggers and wide events (RequestLogger, request id parsing)': {
    'src/logger\\.ts$': [[/  request<[^(]*\(req\?[\s\S]*?\n  \}\n\n  \/\*\* `base`/, '  request(): RequestLogger {\n    return undefined as unknown as RequestLogger;\n  }\n\n  /** `base`'], [/export class RequestLogger[\s\S]*$/, 'export class RequestLogger extends Logger {}\n']],
  },
};

async function gzipBytes(stubs = {}, nodeEnv = 'production') {
  const result = await esbuild.build({
    define: { 'process.env.NODE_ENV': JSON.stringify(nodeEnv) },
    stdin: { contents: ENTRY, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'stub-feature',
        setup(build) {
          for (const [file, edits] of Object.entries(stubs)) {
            build.onLoad({ filter: new RegExp(file) }, ({ path }) => {
              let source = readFileSync(path, 'utf8');
              for (const [search, replacement] of edits) {
                const next = source.replace(search, replacement);
                if (next === source) throw new Error(`stub for ${file} no longer matches ${search}`);
                source = next;
              }
              return { contents: source, loader: 'ts' };
            });
          }
        },
      },
    ],
  });
  return gzipSync(result.outputFiles[0].contents, { level: 9 }).length;
}

/** The bundle's gzip size with `stubs`, or undefined when a stub no longer matches the source it edits (reported, not guessed). */
async function stubbedBytes(stubs) {
  try {
    return await gzipBytes(stubs);
  } catch (error) {
    if (!String(error?.message).includes('no longer matches')) throw error;
    process.stderr.write(`  ${String(error.message).split('\n')[0]}\n`);
    return undefined;
  }
}
const share = (stubbed) => (stubbed === undefined ? 'not measured: its stub no longer matches src/ (update this bench)' : kb(total - stubbed));

const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
const total = await gzipBytes();
const rows = [];
for (const [name, stubs] of Object.entries(FEATURES)) rows.push(`| ${name} | ${share(await stubbedBytes(stubs))} |`);
// All of them out at once: what is left is the floor of logger + serializer + pipeline + sink.
const allStubs = {};
for (const stubs of Object.values(FEATURES)) {
  for (const [file, edits] of Object.entries(stubs)) allStubs[file] = [...(allStubs[file] ?? []), ...edits];
}
const floor = await stubbedBytes(allStubs);
rows.push(`| all of the above together | ${share(floor)} |`);
// Option checking runs only in development builds (a call-time NODE_ENV guard the bundler folds away in production).
const development = await gzipBytes({}, 'development');
rows.push(`| option checking (rules, "did you mean" hints): development build only, not in the bundle above | ${kb(development - total)} more in a development build |`);
console.log(`## Core size by feature (createLogger + httpSink, esbuild minified + gzip -9)

Whole bundle (production build: \`process.env.NODE_ENV\` = "production", as esbuild sets it when minifying for the browser): **${kb(total)}**. Each row is the same bundle with one feature stubbed out of src/; the difference is what the feature costs. With all of them out, the bundle is still **${floor === undefined ? 'not measured' : kb(floor)}**: the levels, call forms, basic serializer with bounds and redaction, the pipeline and the HTTP sink.

| feature | gzip share |
| --- | ---: |
${rows.join('\n')}

Command: \`node bench/core-size-features.bench.mjs\`
`);
