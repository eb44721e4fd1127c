import { statSync } from 'node:fs';
import { formatHuman } from './cli-format.js';
import { countArg, fail, levelArg, out, parseCommand, stdinLines, stringArg, timeArg, type CliCommand, type ParsedArgs } from './cli-io.js';
import { followLines } from './follow.js';
import { logFilesOf, readLines, readLogFile, recordMatcher, type LogRecord, type ReadLogOptions } from './read-log-file.js';

const FILTERS = `  --level <level>   lowest level shown (trace, debug, info, warn, error, fatal)
  --grep <text>     events whose line contains text (case-insensitive)
  --errors          in a directory, read the error stream (log.error.ndjson)
  --json            JSON lines (the default when stdout is not a terminal; NO_COLOR=1 for plain text on one)
  --help, -h        this text
`;

const READ_USAGE = `Usage: shiplog read <file|dir|-> [options]

Reads shiplog NDJSON logs (.ndjson, .ndjson.gz, a logs directory: archives, then the active file,
or - for stdin).

Options:
  --since <time>    events at or after: a duration ago (30s, 10m, 2h, 1d) or an ISO date
  --until <time>    events at or before (same forms)
  --limit <n>       stop after n events
  --follow, -f      keep reading as events are appended (follows rotation)
${FILTERS}`;

const TAIL_USAGE = `Usage: shiplog tail <file|dir> [options]

Prints the last events of a log file (in a directory, its active file), then follows it as
events are appended, across rotations, until Ctrl-C.

Options:
  -n, --lines <n>   how many events to print first (default 10)
${FILTERS}`;

const FILTER_OPTIONS = {
  level: { type: 'string' },
  grep: { type: 'string' },
  errors: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** The filters shared by `read` and `tail`, as reader options. */
function readerOptions(args: ParsedArgs, usage: string): ReadLogOptions {
  const options: ReadLogOptions = {};
  const level = stringArg(args, 'level');
  if (level !== undefined) options.level = levelArg(level, usage);
  for (const key of ['since', 'until'] as const) {
    const value = stringArg(args, key);
    if (value !== undefined) options[key] = timeArg(key, value, usage);
  }
  const limit = stringArg(args, 'limit');
  if (limit !== undefined) options.limit = countArg('limit', limit, usage);
  const grep = stringArg(args, 'grep')?.toLowerCase();
  if (grep !== undefined) options.filter = (_record, line) => line.toLowerCase().includes(grep);
  if (args.values.errors === true) options.errors = true;
  return options;
}

/** The one `<file|dir>` argument. */
function pathArg(args: ParsedArgs, usage: string): string {
  const [path, ...extra] = args.positionals;
  if (path === undefined) fail('missing <file|dir>', usage);
  if (extra.length > 0) fail(`unexpected argument "${extra[0] as string}"`, usage);
  return path;
}

/** Prints a record as a JSON line or, on a terminal, a human line. */
function printer(args: ParsedArgs): (record: LogRecord) => Promise<void> | undefined {
  const json = args.values.json === true || process.stdout.isTTY !== true;
  process.stdout.on('error', () => process.exit(0)); // `| head` closed the pipe
  return (record) => out(json ? JSON.stringify(record) : formatHuman(record, 'auto'));
}

function isDirectory(path: string, usage: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    fail(`cannot read "${path}"`, usage);
  }
}

/** Stops following at Ctrl-C or SIGTERM, ending normally. */
function stopSignal(): AbortSignal {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  return stop.signal;
}

async function read(argv: readonly string[]): Promise<void> {
  const args = parseCommand(argv, { ...FILTER_OPTIONS, since: { type: 'string' }, until: { type: 'string' }, limit: { type: 'string' }, follow: { type: 'boolean', short: 'f' } }, READ_USAGE);
  const path = pathArg(args, READ_USAGE);
  const options = readerOptions(args, READ_USAGE);
  const print = printer(args);
  const limit = options.limit ?? Infinity;
  if (path === '-') {
    const match = recordMatcher(options);
    let count = 0;
    for await (const line of stdinLines()) {
      if (count >= limit) break;
      const record = match(line);
      if (record === undefined) continue;
      await print(record);
      count++;
    }
    return;
  }
  const isDir = isDirectory(path, READ_USAGE);
  if (args.values.follow !== true) {
    for await (const record of readLogFile(path, options)) await print(record);
    return;
  }
  // Follow: archives as usual, then the active file from its start and onwards.
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
  const lines = active.endsWith('.gz') ? readLines(active) : followLines(active, { signal: stopSignal() });
  for await (const line of lines) {
    if (count >= limit) break;
    const record = match(line);
    if (record === undefined) continue;
    await print(record);
    count++;
  }
}

async function tail(argv: readonly string[]): Promise<void> {
  const args = parseCommand(argv, { ...FILTER_OPTIONS, lines: { type: 'string', short: 'n' } }, TAIL_USAGE);
  const path = pathArg(args, TAIL_USAGE);
  const options = readerOptions(args, TAIL_USAGE);
  const lines = stringArg(args, 'lines');
  const first = lines === undefined ? 10 : countArg('lines', lines, TAIL_USAGE);
  const active = isDirectory(path, TAIL_USAGE) ? logFilesOf(path, options).active : path;
  const print = printer(args);
  const match = recordMatcher(options);
  // The last `first` events are held until the reader first reaches the end of the file.
  let recent: LogRecord[] | undefined = [];
  const caughtUp = (): void => {
    if (recent === undefined) return;
    for (const record of recent) void print(record);
    recent = undefined;
  };
  for await (const line of followLines(active, { signal: stopSignal(), onCaughtUp: caughtUp })) {
    const record = match(line);
    if (record === undefined) continue;
    if (recent === undefined) {
      await print(record);
    } else {
      recent.push(record);
      if (recent.length > first) recent.shift();
    }
  }
}

/** `shiplog read`: filtered events from files, directories or stdin. */
export const readCommand: CliCommand = { summary: 'read and filter logs (files, directories, stdin)', usage: READ_USAGE, run: read };

/** `shiplog tail`: the last events of a log, then new ones as they are written. */
export const tailCommand: CliCommand = { summary: 'print the last events of a log, then follow it', usage: TAIL_USAGE, run: tail };
