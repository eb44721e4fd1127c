// Where a runtime entry's bytes come from: the entry bundled from the sources (esbuild, minified,
// `process.env.NODE_ENV` = production as a deploy bundles it), with each source file's share of
// the minified output from esbuild's metafile and of the gzip size in proportion to it (gzip has
// no per-file size; the proportional share is an estimate, the total is exact).
import * as esbuild from 'esbuild';
import { gzipSync } from 'node:zlib';
import { repoRoot } from './dist-snapshot.mjs';

/** Files the integrator's hot-path work owns vs the rest of the core vs the runtime layer, for the report. */
const HOT_PATH = new Set(['src/serialize.ts', 'src/logger.ts', 'src/logger-core.ts', 'src/event-line.ts', 'src/event-id.ts', 'src/pipeline.ts']);
export function layerOf(file) {
  if (HOT_PATH.has(file)) return 'core hot path';
  if (file.startsWith('runtimes/') || file.startsWith('src/lifecycle/') || file.startsWith('src/adapters/')) return 'runtime layer + lifecycle';
  return 'core (other)';
}

/**
 * Bundles `contents` (resolved from the repo root) and returns `{ minified, gzip, files }`, files
 * sorted by bytes: `{ file, bytes, gzipShare }` (file relative to the repo root).
 */
export async function attributeSize(contents, { conditions = [], platform = 'neutral' } = {}) {
  const result = await esbuild.build({
    stdin: { contents, resolveDir: repoRoot, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform,
    conditions,
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  const gzip = gzipSync(code, { level: 9 }).length;
  const inputs = Object.values(result.metafile.outputs)[0].inputs;
  const files = Object.entries(inputs)
    .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
    .map(([file, { bytesInOutput }]) => ({ file: file.replace(/^(\.\.\/)*/, '').replace(/^.*?((?:src|runtimes)\/)/, '$1'), bytes: bytesInOutput }))
    .filter(({ file }) => file !== '<stdin>')
    .sort((a, b) => b.bytes - a.bytes);
  const minified = Buffer.byteLength(code);
  for (const f of files) f.gzipShare = Math.round((f.bytes / minified) * gzip);
  return { minified, gzip, files };
}

/** Markdown lines: a per-layer summary and a per-file table of an attribution. */
export function attributionTable({ minified, gzip, files }) {
  const layers = new Map();
  for (const f of files) {
    const layer = layerOf(f.file);
    const sum = layers.get(layer) ?? { bytes: 0, gzipShare: 0 };
    sum.bytes += f.bytes;
    sum.gzipShare += f.gzipShare;
    layers.set(layer, sum);
  }
  const out = [];
  out.push(`Bundled from the sources: ${minified.toLocaleString('en-US')} B minified, **${gzip.toLocaleString('en-US')} B gzip -9**. By layer (gzip shares are proportional to minified bytes, an estimate): ` +
    [...layers].map(([layer, sum]) => `${layer} ${sum.bytes.toLocaleString('en-US')} B min ≈ ${sum.gzipShare.toLocaleString('en-US')} B gzip`).join('; ') + '.');
  out.push('');
  out.push('<details><summary>per source file</summary>');
  out.push('');
  out.push('| file | layer | minified B | ≈ gzip B |');
  out.push('| --- | --- | ---: | ---: |');
  for (const f of files) out.push(`| ${f.file} | ${layerOf(f.file)} | ${f.bytes.toLocaleString('en-US')} | ${f.gzipShare.toLocaleString('en-US')} |`);
  out.push('');
  out.push('</details>');
  return out;
}
