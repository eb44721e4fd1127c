import { join } from 'node:path';
import type { BatchOptions, LogEvent, RetryOptions, Sink } from '../../src/index.js';
import { checkSinkOptionKeys, optionKeys } from '../../src/internal.js';
import { acquireWriter, releaseWriter, type FileWriter, type WriteProgress } from './file-writer.js';

/** Options of {@link fileSink}. */
export interface FileSinkOptions {
  /** Directory of the active files (created when missing). @default 'logs' (relative to the working directory) */
  dir?: string;
  /** Base name of the files: `<baseName>.ndjson` and `<baseName>.error.ndjson`. @default 'log' */
  baseName?: string;
  /** Also write error and fatal events to `<baseName>.error.ndjson`. @default true */
  errorFile?: boolean;
  /** Rotate before a write would take a file past this many bytes. @default 10485760 (10 MiB) */
  maxSizeBytes?: number;
  /** Archives kept per file; the oldest (by modification time) are deleted. @default 5 */
  maxArchives?: number;
  /** Gzip archives in the background; on failure an archive stays uncompressed. @default true */
  gzip?: boolean;
  /** Where archives go; on the same filesystem as `dir` (rotation is a rename). @default '<dir>/archive' */
  archiveDir?: string;
  /**
   * `fdatasync` after each batch, so a flush means "on the disk" rather than "handed to the
   * OS" (which already survives a process crash, not a power loss). Costs a disk round trip
   * per batch, on the event loop. @default false
   */
  fsync?: boolean;
  /**
   * Batching: events are written with one `write(2)` per batch. @default { size: 1000, maxBytes: 262144, intervalMs: 50 }
   */
  batch?: BatchOptions;
  /** Retries after a disk error (then the batch is dropped and reported). @default { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 5000 } */
  retry?: RetryOptions;
  /** Sink name in stats and drop reports. @default 'file' */
  name?: string;
}

/** A file sink, with access to its files for tests and tooling. */
export interface FileSink extends Sink {
  /** Absolute path of the active file with every event. */
  readonly path: string;
  /** Absolute path of the error file, when enabled. */
  readonly errorPath: string | undefined;
  /** Resolves when rotations so far are compressed and pruned. */
  idle(): Promise<void>;
}

/** Defaults of {@link fileSink}. */
export const FILE_SINK_DEFAULTS = {
  dir: 'logs',
  baseName: 'log',
  maxSizeBytes: 10 * 1024 * 1024,
  maxArchives: 5,
  batch: { size: 1000, maxBytes: 262_144, intervalMs: 50 },
  retry: { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 5000 },
} as const;

const FILE_SINK_KEYS = optionKeys<FileSinkOptions>({
  dir: true, baseName: true, errorFile: true, maxSizeBytes: true, maxArchives: true, gzip: true, archiveDir: true, fsync: true, batch: true, retry: true, name: true,
});

const isErrorLevel = (event: LogEvent): boolean => event.level === 'error' || event.level === 'fatal';

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`shiplog: fileSink option "${name}" must be an integer >= 1; got ${String(value)}`);
  return value;
}

/**
 * Writes events as NDJSON to `<dir>/<baseName>.ndjson`, and error/fatal events also to
 * `<dir>/<baseName>.error.ndjson`, with size rotation into gzip archives.
 *
 * Events are buffered by the pipeline and written in batches from a microtask or timer (one
 * `write(2)` per batch), never per log call. When the buffer is full the batch is written
 * synchronously instead of dropping anything, so a burst never costs data on a healthy disk
 * and memory stays bounded by the logger's `maxBufferSize` events. `flush()` resolves when the
 * bytes are handed to the OS (`fsync: true` for "on the disk"). A disk error is retried, then
 * reported through stats and `onDropped`; the file is reopened on the next write, so writing
 * resumes when the disk recovers. Several sinks on one path share one writer.
 */
export function fileSink(options: FileSinkOptions = {}): FileSink {
  checkSinkOptionKeys(options, FILE_SINK_KEYS, 'fileSink');
  const dir = options.dir ?? FILE_SINK_DEFAULTS.dir;
  const baseName = options.baseName ?? FILE_SINK_DEFAULTS.baseName;
  const writerOptions = {
    maxSizeBytes: positiveInteger('maxSizeBytes', options.maxSizeBytes, FILE_SINK_DEFAULTS.maxSizeBytes),
    maxArchives: positiveInteger('maxArchives', options.maxArchives, FILE_SINK_DEFAULTS.maxArchives),
    gzip: options.gzip ?? true,
    fsync: options.fsync ?? false,
    archiveDir: options.archiveDir ?? join(dir, 'archive'),
  };
  const main: FileWriter = acquireWriter(join(dir, `${baseName}.ndjson`), writerOptions);
  const errors: FileWriter | undefined =
    options.errorFile === false ? undefined : acquireWriter(join(dir, `${baseName}.error.ndjson`), writerOptions);
  // A retried batch is the same array: remembering how far each file got means a retry after
  // a disk error never writes a line twice (the array is forgotten with the batch).
  const progress = new WeakMap<readonly LogEvent[], { main: WriteProgress; errors: WriteProgress }>();
  let closed = false;

  const write = (batch: readonly LogEvent[]): void => {
    let done = progress.get(batch);
    if (done === undefined) {
      done = { main: { done: 0 }, errors: { done: 0 } };
      progress.set(batch, done);
    }
    const lines = new Array<string>(batch.length);
    for (let i = 0; i < batch.length; i++) lines[i] = (batch[i] as LogEvent).line;
    try {
      main.writeLines(lines, done.main);
    } catch (error) {
      // The pipeline counts the lines that landed as delivered and retries or drops only the rest.
      try {
        (error as { written?: number }).written = done.main.done;
      } catch {
        // Not an object (or frozen): the whole batch counts as not written.
      }
      throw error;
    }
    if (errors !== undefined) {
      errors.recover(); // even before its first error event, tidy what a crash left
      const errorLines = batch.filter(isErrorLevel).map((event) => event.line);
      if (errorLines.length > 0) errors.writeLines(errorLines, done.errors);
    }
  };

  return {
    name: options.name ?? 'file',
    batch: { ...FILE_SINK_DEFAULTS.batch, ...options.batch },
    retry: { ...FILE_SINK_DEFAULTS.retry, ...options.retry },
    path: main.path,
    errorPath: errors?.path,
    write,
    writeSync: write,
    idle: async () => {
      await Promise.all([main.idle(), errors?.idle()]);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await Promise.all([releaseWriter(main), errors === undefined ? undefined : releaseWriter(errors)]);
    },
  };
}
