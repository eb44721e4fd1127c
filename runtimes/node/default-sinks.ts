import { consoleSink, httpSink, prettyFormat, shouldColor, type EnvironmentVariables, type ResolvedOptions, type Sink } from '../../src/internal.js';
import { fileSink, type FileSinkOptions } from './file-sink.js';

/** What the Node `createLogger` needs to pick its default sinks. */
export interface NodeSinkChoice {
  /** File sink options, or `false` for no file sink. */
  file?: FileSinkOptions | false | undefined;
  /** Readable console lines: `true`, `false`, or undefined for "in development". */
  console?: boolean | undefined;
}

/** The stdout stream, when this runtime has one (Node, Bun, Deno's Node compatibility). */
function stdout(): { isTTY?: boolean } | undefined {
  return (globalThis as { process?: { stdout?: { isTTY?: boolean } } }).process?.stdout;
}

/**
 * Development: stdout is a terminal, or `NODE_ENV` is anything but `production` (unset included,
 * as in `node app.js` on a laptop). Production deployments set `NODE_ENV=production`.
 */
export function isDevelopment(vars: EnvironmentVariables): boolean {
  return stdout()?.isTTY === true || vars.NODE_ENV !== 'production';
}

/**
 * Node's default sinks: NDJSON files (unless `file: false`; `SHIPLOG_DIR` overrides the
 * directory), an http sink when an endpoint is configured, and in development readable console
 * lines too. In production a logger left with neither file nor endpoint writes JSON lines to the
 * console, so its events are not discarded.
 */
export function nodeDefaultSinks(choice: NodeSinkChoice, resolved: ResolvedOptions): Sink[] {
  const sinks: Sink[] = [];
  const vars = resolved.vars ?? process.env;
  const dir = typeof vars.SHIPLOG_DIR === 'string' && vars.SHIPLOG_DIR.trim() !== '' ? vars.SHIPLOG_DIR.trim() : undefined;
  if (choice.file !== false) sinks.push(fileSink({ ...choice.file, ...(dir === undefined ? {} : { dir }) }));
  if (resolved.endpoint !== undefined) sinks.push(httpSink({ url: resolved.endpoint }));
  if (choice.console ?? isDevelopment(vars)) sinks.push(consoleSink({ format: prettyFormat({ colors: shouldColor(stdout(), vars as Record<string, string | undefined>) }) }));
  else if (sinks.length === 0 && choice.console === undefined) sinks.push(consoleSink());
  return sinks;
}
