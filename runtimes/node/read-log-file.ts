import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { constants, createGunzip } from 'node:zlib';
import { LEVEL_RANK, isLevel, type Level } from '../../src/index.js';
import { checkOptionKeys, optionKeys } from '../../src/internal.js';
import { listArchives, utcStamp } from './rotation.js';
import { parseSince, type TimeSpec } from './time-spec.js';

/** One event read back from a log file. */
export interface LogRecord {
  level: string;
  /** ISO-8601 time as written. */
  time: string;
  msg?: string;
  [field: string]: unknown;
}

/** Options of {@link readLogFile}. */
export interface ReadLogOptions {
  /** Stop after this many matching records. @default Infinity */
  limit?: number;
  /** Lowest level returned. @default undefined (every level) */
  level?: Level;
  /** Only events at or after this time (Date, epoch ms, ISO string or a duration ago like `10m`). @default undefined */
  since?: TimeSpec;
  /** Only events at or before this time (same forms as `since`). @default undefined */
  until?: TimeSpec;
  /** Keeps a record when it returns true; gets the parsed record and its raw line. @default undefined */
  filter?: (record: LogRecord, line: string) => boolean;
  /** Base name of the files when a directory is read. @default 'log' */
  baseName?: string;
  /** When a directory is read: read the error stream (`<baseName>.error.ndjson`) instead. @default false */
  errors?: boolean;
  /** Archive directory when a directory is read. @default '<dir>/archive' */
  archiveDir?: string;
}

/** The files of one stream in a logs directory, oldest first: archives, then the active file. */
export function logFilesOf(dir: string, options: Pick<ReadLogOptions, 'baseName' | 'errors' | 'archiveDir'> = {}): {
  archives: { path: string; stamp: string }[];
  active: string;
} {
  const stream = `${options.baseName ?? 'log'}${options.errors === true ? '.error' : ''}`;
  const archives = listArchives(options.archiveDir ?? join(dir, 'archive'), stream).map(({ path, stamp }) => ({ path, stamp }));
  return { archives, active: join(dir, `${stream}.ndjson`) };
}

/** Whether `line` parses to a record that passes the options' filters. */
export function recordMatcher(options: ReadLogOptions, now = Date.now()): (line: string) => LogRecord | undefined {
  const minRank = options.level === undefined ? undefined : LEVEL_RANK[options.level];
  const since = options.since === undefined ? undefined : parseSince(options.since, now);
  const until = options.until === undefined ? undefined : parseSince(options.until, now);
  const filter = options.filter;
  return (line) => {
    const record = parseRecord(line);
    if (record === undefined) return undefined;
    if (minRank !== undefined && !(isLevel(record.level) && LEVEL_RANK[record.level] >= minRank)) return undefined;
    if (since !== undefined || until !== undefined) {
      const time = Date.parse(record.time);
      if (since !== undefined && !(time >= since)) return undefined;
      if (until !== undefined && !(time <= until)) return undefined;
    }
    if (filter !== undefined && !filter(record, line)) return undefined;
    return record;
  };
}

/** A JSON object line as a record; undefined for a torn or foreign line. */
export function parseRecord(line: string): LogRecord | undefined {
  if (line.length === 0 || line.charCodeAt(0) !== 0x7b /* { */) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const record = value as LogRecord;
    return typeof record.level === 'string' && typeof record.time === 'string' ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lines of an `.ndjson` or `.ndjson.gz` file, streamed in 64 KiB chunks (constant memory
 * whatever the file size). A truncated gzip (a crash mid-compression) yields what it holds;
 * the last line is yielded even without a trailing newline (callers skip it if torn).
 */
export async function* readLines(path: string): AsyncGenerator<string> {
  const file = createReadStream(path, { highWaterMark: 65_536 });
  const source = path.endsWith('.gz') ? file.pipe(createGunzip({ finishFlush: constants.Z_SYNC_FLUSH })) : file;
  if (source !== file) file.on('error', (error) => source.destroy(error));
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      const text = rest + decoder.write(chunk);
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        yield text.slice(start, end);
        start = end + 1;
      }
      rest = text.slice(start);
    }
  } catch {
    // Unreadable or corrupt compressed data: keep what was read, and go on with other files.
  } finally {
    file.destroy();
  }
  rest += decoder.end();
  if (rest.length > 0) yield rest;
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The lines of a file listed a moment ago. An archive being compressed is renamed to `.gz` and
 * its original removed meanwhile (an open file stays readable, so only a file gone before it
 * was opened is missed): then its `.gz` is read. A file pruned meanwhile, or no active file
 * yet, yields nothing.
 */
async function* linesOf(file: string): AsyncGenerator<string> {
  let read = false;
  if (exists(file)) {
    for await (const line of readLines(file)) {
      read = true;
      yield line;
    }
  }
  if (!read && !file.endsWith('.gz') && !exists(file) && exists(`${file}.gz`)) yield* readLines(`${file}.gz`);
}

const READ_LOG_KEYS = optionKeys<ReadLogOptions>({
  limit: true, level: true, since: true, until: true, filter: true, baseName: true, errors: true, archiveDir: true,
});

/**
 * Reads events back from a log file (`.ndjson` or `.ndjson.gz`) or a logs directory (its
 * archives in time order, then the active file), filtered by level, time range and a
 * predicate. Streams: memory stays constant on files of any size. Lines that are not complete
 * JSON events (a line torn by a crash) are skipped.
 *
 * @example
 * for await (const event of readLogFile('logs', { level: 'warn', since: '10m' })) console.log(event.msg);
 */
export async function* readLogFile(path: string, options: ReadLogOptions = {}): AsyncGenerator<LogRecord> {
  checkOptionKeys(options, READ_LOG_KEYS, 'readLogFile');
  const limit = options.limit ?? Infinity;
  if (limit <= 0) return;
  const match = recordMatcher(options);
  let files: string[];
  if (statSync(path).isDirectory()) {
    const { archives, active } = logFilesOf(path, options);
    // An archive's stamp is when it was rotated, so it holds nothing newer: skip old ones unread.
    // A since outside the Date range (`--since 999999999d`) keeps all or none (utcStamp would throw).
    const sinceMs = options.since === undefined ? -Infinity : parseSince(options.since) - 1000;
    const since = Math.abs(sinceMs) <= 8.64e15 ? utcStamp(sinceMs) : undefined;
    files = archives.filter((a) => (since === undefined ? sinceMs < 0 : a.stamp >= since)).map((a) => a.path);
    files.push(active);
  } else files = [path];
  let count = 0;
  for (const file of files) {
    for await (const line of linesOf(file)) {
      const record = match(line);
      if (record === undefined) continue;
      yield record;
      if (++count >= limit) return;
    }
  }
}
