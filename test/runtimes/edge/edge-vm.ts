/** Bundles a fixture for the edge (IIFE, `edge-light` condition) and evaluates it in EdgeVM. */
import { EdgeVM } from '@edge-runtime/vm';
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Bundles `entry` (relative to the repo root) the way an edge bundler does: `edge-light` first, no Node built-ins. */
export async function bundleForEdge(entry: string, options: { minify?: boolean } = {}): Promise<string> {
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    globalName: '__mod',
    conditions: ['edge-light'],
    platform: 'neutral',
    minify: options.minify ?? false,
    write: false,
    logLevel: 'silent',
  });
  return (result.outputFiles[0] as { text: string }).text;
}

export interface EdgeSandbox {
  vm: EdgeVM;
  /** Console lines the code printed, by method. */
  lines: { method: string; text: string }[];
  /** The bundle's exports (`__mod`). */
  exports: Record<string, any>;
}

/** A fresh EdgeVM with console capture and `INGEST_URL`, with `code` evaluated in it. */
export function evaluateInEdgeVM(code: string, globals: Record<string, unknown> = {}): EdgeSandbox {
  const lines: EdgeSandbox['lines'] = [];
  const vm = new EdgeVM({
    extend: (context) => {
      const capture = (method: string) => (...args: unknown[]) => lines.push({ method, text: args.map(String).join(' ') });
      context.console = { ...context.console, log: capture('log'), info: capture('info'), debug: capture('debug'), warn: capture('warn'), error: capture('error') };
      Object.assign(context, globals);
      return context;
    },
  });
  vm.evaluate(code);
  return { vm, lines, exports: vm.evaluate('__mod') as Record<string, any> };
}
