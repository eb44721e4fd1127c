#!/usr/bin/env node
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isLevel } from '../../src/index.js';
import { formatHuman } from './cli-format.js';
import { runSpoolCommand } from './cli-spool.js';
import { followLines } from './follow.js';
import { logFilesOf, readLines, readLogFile, recordMatcher, type LogRecord, type ReadLogOptions } from './read-log-file.js';
import { parseSince } from './time-spec.js';

const USAGE = `Usage: shiplog read <file|dir> [options]

Reads shiplog NDJSON logs (.ndjson, .ndjson.gz, or a logs directory: archives, then the active file).

Options:
  --level <level>   lowest level shown (trace, debug, info, warn, error, fatal)
  --since <time>    events at or after: a duration ago (30s, 10m, 2h, 1d) or an ISO date
  --until <time>    events at or before (same forms)
  --grep <text>     events whose line contains text (case-insensitive)
  --limit <n>       stop after n events
  --errors          in a directory, read the error stream (log.error.ndjson)
  --json            JSON lines (the default when stdout is not a terminal; NO_COLOR=1 for plain text on one)
  --follow, -f      keep reading as events are appended (follows rotation)
  --help, -h        this text
`;

function fail(message: string): never {
  process.stderr.write(`shiplog: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** Parses `shiplog read …` arguments into reader options. */
function parse(argv: readonly string[]): { path: string; options: ReadLogOptions; json: boolean; follow: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        level: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        grep: { type: 'string' },
        limit: { type: 'string' },
        errors: { type: 'boolean' },
        json: { type: 'boolean' },
        follow: { type: 'boolean', short: 'f' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const [command, path, ...extra] = positionals;
  if (command !== 'read') fail(command === undefined ? 'missing command' : `unknown command "${command}"`);
  if (path === undefined) fail('missing <file|dir>');
  if (extra.length > 0) fail(`unexpected argument "${extra[0] as string}"`);
  const options: ReadLogOptions = {};
  if (values.level !== undefined) {
    const level = values.level.toLowerCase();
    if (!isLevel(level)) fail(`--level must be one of trace, debug, info, warn, error, fatal; got "${values.level}"`);
    options.level = level;
  }
  const now = Date.now();
  for (const key of ['since', 'until'] as const) {
    const value = values[key];
    if (value === undefined) continue;
    try {
      options[key] = parseSince(value, now);
    } catch (error) {
      fail(`--${key}: ${(error as Error).message}`);
    }
  }
  if (values.limit !== undefined) {
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 0) fail(`--limit must be a whole number; got "${values.limit}"`);
    options.limit = limit;
  }
  if (values.grep !== undefined) {
    const needle = values.grep.toLowerCase();
    options.filter = (_record, line) => line.toLowerCase().includes(needle);
  }
  if (values.errors === true) options.errors = true;
  const json = values.json === true || process.stdout.isTTY !== true;
  return { path, options, json, follow: values.follow === true };
}

/** Writes to stdout, waiting when the pipe is full; ends quietly when the reader went away. */
function out(line: string): Promise<void> | undefined {
  if (process.stdout.write(`${line}\n`)) return undefined;
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === 'spool') return runSpoolCommand(argv.slice(1));
  if (argv[0] === 'dev') return import('./dev/command.js').then((dev) => void dev.runDev(argv.slice(1)));
  const { path, options, json, follow } = parse(argv);
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    fail(`cannot read "${path}"`);
  }
  // Colours when stdout is a terminal, unless NO_COLOR; FORCE_COLOR forces them (https://no-color.org).
  const print = (record: LogRecord): Promise<void> | undefined => out(json ? JSON.stringify(record) : formatHuman(record, 'auto'));
  process.stdout.on('error', () => process.exit(0)); // `| head` closed the pipe
  if (!follow) {
    for await (const record of readLogFile(path, options)) await print(record);
    return;
  }
  // Follow: archives as usual, then the active file from its start and onwards.
  const limit = options.limit ?? Infinity;
  let count = 0;
  let active = path;
  if (isDir) {
    const files = logFilesOf(path, options);
    active = files.active;
    for (const archive of files.archives) {
      for await (const record of readLogFile(archive.path, { ...options, limit: limit - count })) {
        await print(record);
        count++;
      }
    }
  }
  if (count >= limit) return; // the archives filled the limit: do not wait for an append
  const match = recordMatcher(options);
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  const lines = active.endsWith('.gz') ? readLines(active) : followLines(active, { signal: stop.signal });
  for await (const line of lines) {
    if (count >= limit) break;
    const record = match(line);
    if (record === undefined) continue;
    await print(record);
    count++;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`shiplog: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
