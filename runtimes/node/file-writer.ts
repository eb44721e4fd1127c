import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { archivePathFor, compressArchive, pruneArchives, recoverArchives, streamOf } from './rotation.js';

/** How one active file is written and rotated. */
export interface FileWriterOptions {
  /** Rotate before a write would take the file past this size. */
  maxSizeBytes: number;
  /** Archives kept per stream; older ones are deleted by modification time. */
  maxArchives: number;
  /** Compress archives (in the background, streaming zlib). */
  gzip: boolean;
  /** `fdatasync` after every write: bytes are on the disk, not only handed to the OS. */
  fsync: boolean;
  /** Where archives go. */
  archiveDir: string;
}

/** How far a batch has been written; kept across retries so a retry never writes a line twice. */
export interface WriteProgress {
  done: number;
}

const NEWLINE = 0x0a;

/** After a rotation fails (archive directory unusable), how long writes go on in the active file before it is tried again. */
export const ROTATION_RETRY_MS = 1000;

/**
 * Appends NDJSON lines to one file with size rotation. Every write is one synchronous
 * `write(2)` of a whole batch (the caller batches many events), so a line is either entirely
 * handed to the OS or, on a crash mid-syscall, is the file's torn last line. After any error
 * the file is closed and reopened on the next write, which also follows a removed directory.
 */
export class FileWriter {
  private fd = -1;
  private size = 0;
  private recovered = false;
  /** No rotation attempt before this time (set when one failed); see {@link rotate}. */
  private rotationBlockedUntil = 0;
  private rotationWarned = false;
  private background: Promise<void> = Promise.resolve();
  private readonly stream: string;

  constructor(
    readonly path: string,
    readonly options: FileWriterOptions,
  ) {
    this.stream = streamOf(path);
  }

  /**
   * Appends `lines[progress.done…]`, each followed by a newline, rotating between lines when
   * the next would pass `maxSizeBytes` (a single line larger than that gets a file of its own).
   * Advances `progress.done` as pieces land. Throws the disk error, if any, after closing the file.
   */
  writeLines(lines: readonly string[], progress: WriteProgress): void {
    if (progress.done >= lines.length) return;
    try {
      this.ensureOpen();
      const text = joinLines(lines, progress.done, lines.length);
      const bytes = Buffer.byteLength(text, 'utf8');
      if (this.size + bytes <= this.options.maxSizeBytes) this.writePiece(text, bytes, lines.length, progress);
      else this.writeAcrossRotations(lines, progress);
    } catch (error) {
      try {
        this.closeFile(); // reopened on the next write: follows a removed directory, a replaced file
      } catch {
        // The write error is the one worth reporting.
      }
      throw error;
    }
  }

  /**
   * Once per writer: tidies what a crash left in the archive directory (stale temporary
   * files) and compresses archives left uncompressed, in the background. Never throws.
   */
  recover(): void {
    if (this.recovered) return;
    this.recovered = true;
    for (const leftover of recoverArchives(this.options.archiveDir, this.stream)) this.afterRotation(leftover);
  }

  /** Closes the file and waits for background compression and pruning. Never rejects. */
  async close(): Promise<void> {
    try {
      this.closeFile();
    } catch {
      // A failing final fsync cannot be acted upon any more.
    }
    await this.background;
  }

  /** Resolves when rotations so far are compressed and pruned (tests, shutdown). */
  idle(): Promise<void> {
    return this.background;
  }

  private writeAcrossRotations(lines: readonly string[], progress: WriteProgress): void {
    const max = this.options.maxSizeBytes;
    let start = progress.done;
    let bytes = 0;
    for (let i = start; i < lines.length; i++) {
      const length = Buffer.byteLength(lines[i] as string, 'utf8') + 1;
      if (this.size + bytes + length > max && this.size + bytes > 0) {
        if (bytes > 0) {
          this.writePiece(joinLines(lines, start, i), bytes, i, progress);
          start = i;
          bytes = 0;
        }
        if (!this.rotate()) {
          // The archive directory is unusable: the rest goes to the active file, in one piece.
          const rest = joinLines(lines, start, lines.length);
          this.writePiece(rest, Buffer.byteLength(rest, 'utf8'), lines.length, progress);
          return;
        }
      }
      bytes += length;
    }
    this.writePiece(joinLines(lines, start, lines.length), bytes, lines.length, progress);
  }

  /**
   * Writes `text` (the lines from `progress.done` to `end`, `bytes` long in UTF-8), usually in one
   * syscall without copying it into a Buffer. If the disk fails halfway (a short write, then
   * ENOSPC), `progress.done` still advances past the lines that did land whole, so a retry
   * neither loses nor repeats a line, and the part of a line that landed is cut off again
   * (truncated to the last whole line): no torn line is left in the middle of the file. Only if
   * that truncation fails too is the torn line terminated when the file is reopened.
   */
  private writePiece(text: string, bytes: number, end: number, progress: WriteProgress): void {
    const startSize = this.size;
    let written = 0;
    try {
      written = writeSync(this.fd, text);
      this.size += written;
      if (written < bytes) {
        const buffer = Buffer.from(text, 'utf8');
        while (written < bytes) {
          const n = writeSync(this.fd, buffer, written, bytes - written);
          written += n;
          this.size += n;
        }
      }
      if (this.options.fsync) fdatasyncSync(this.fd);
      progress.done = end;
    } catch (error) {
      if (written > 0) {
        const landed = Buffer.from(text, 'utf8').subarray(0, written);
        progress.done += countNewlines(landed);
        const whole = landed.lastIndexOf(NEWLINE) + 1;
        if (whole < written) this.truncate(startSize + whole);
      }
      throw error;
    }
  }

  /** Cuts the file back to `size` bytes (a torn line off its end); a failure is left to the reopen check. */
  private truncate(size: number): void {
    try {
      ftruncateSync(this.fd, size);
      this.size = size;
    } catch {
      // The torn line stays; ensureOpen terminates it with a newline.
    }
  }

  /** Opens the file if needed; reopens it when it was deleted under us (nlink 0). */
  private ensureOpen(): void {
    if (this.fd >= 0) {
      if (fstatSync(this.fd).nlink > 0) return;
      this.closeFile();
    }
    mkdirSync(dirname(this.path), { recursive: true });
    this.recover();
    this.fd = openSync(this.path, 'a+'); // readable too: the torn-line check reads the last byte
    this.size = fstatSync(this.fd).size;
    if (this.size > this.options.maxSizeBytes) this.rotate();
    if (this.size > 0 && !this.endsWithNewline()) this.append(Buffer.from('\n'));
  }

  /** Whether the last byte is a newline; a torn line left by a crash is terminated first. */
  private endsWithNewline(): boolean {
    const last = Buffer.alloc(1);
    return readSyncAt(this.fd, last, this.size - 1) === 1 && last[0] === NEWLINE;
  }

  /** Writes a few bytes (the newline that terminates a torn line). */
  private append(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) offset += writeSync(this.fd, chunk, offset, chunk.length - offset);
    this.size += chunk.length;
  }

  /**
   * Moves the active file to the archive directory and starts a new one. When the archive
   * directory cannot be used (not creatable, not writable, another filesystem), events are worth
   * more than the size limit: the active file stays and grows past `maxSizeBytes`, a warning is
   * emitted once, and rotation is tried again after {@link ROTATION_RETRY_MS}. Returns whether
   * it rotated. Throws only what reopening the active file throws (a disk error).
   */
  private rotate(): boolean {
    const now = Date.now();
    if (now < this.rotationBlockedUntil) return false;
    this.closeFile();
    let archive: string;
    try {
      mkdirSync(this.options.archiveDir, { recursive: true });
      archive = archivePathFor(this.options.archiveDir, this.stream, now);
      renameSync(this.path, archive);
    } catch (error) {
      this.rotationBlockedUntil = now + ROTATION_RETRY_MS;
      this.warnRotation(error);
      this.fd = openSync(this.path, 'a+');
      this.size = fstatSync(this.fd).size;
      return false;
    }
    this.rotationBlockedUntil = 0;
    this.rotationWarned = false;
    this.fd = openSync(this.path, 'a+');
    this.size = 0;
    this.afterRotation(archive);
    return true;
  }

  private warnRotation(error: unknown): void {
    if (this.rotationWarned) return;
    this.rotationWarned = true;
    try {
      const reason = error instanceof Error ? error.message : String(error);
      process.emitWarning(`cannot rotate ${this.path} into ${this.options.archiveDir} (${reason}); writing on past maxSizeBytes and retrying`, {
        code: 'SHIPLOG_ROTATION_FAILED',
      });
    } catch {
      // A warning is a courtesy; writing goes on regardless.
    }
  }

  /** Compression and pruning run one at a time, off the write path. */
  private afterRotation(archive: string): void {
    const { gzip, archiveDir, maxArchives } = this.options;
    this.background = this.background
      .then(async () => {
        if (gzip) await compressArchive(archive);
        pruneArchives(archiveDir, this.stream, maxArchives);
      })
      .catch(() => undefined);
  }

  private closeFile(): void {
    const fd = this.fd;
    if (fd < 0) return;
    this.fd = -1;
    this.size = 0;
    try {
      if (this.options.fsync) fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

function readSyncAt(fd: number, buffer: Buffer, position: number): number {
  return readSync(fd, buffer, 0, buffer.length, position);
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, i + 1)) count++;
  return count;
}

/** `lines[from…to)` joined, each followed by a newline. */
function joinLines(lines: readonly string[], from: number, to: number): string {
  if (from === 0 && to === lines.length) return `${lines.join('\n')}\n`;
  let out = '';
  for (let i = from; i < to; i++) out += `${lines[i] as string}\n`;
  return out;
}

const writers = new Map<string, { writer: FileWriter; refs: number }>();

/**
 * The process-wide writer of `path`: several loggers (or sinks) on one file share one writer,
 * so their lines never interleave mid-line and rotation happens once. The first caller's
 * options win.
 */
export function acquireWriter(path: string, options: FileWriterOptions): FileWriter {
  const key = resolve(path);
  const entry = writers.get(key);
  if (entry !== undefined) {
    entry.refs++;
    return entry.writer;
  }
  const writer = new FileWriter(key, { ...options, archiveDir: resolve(options.archiveDir) });
  writers.set(key, { writer, refs: 1 });
  return writer;
}

/** Gives back a writer from {@link acquireWriter}; the last release closes the file. */
export async function releaseWriter(writer: FileWriter): Promise<void> {
  const entry = writers.get(writer.path);
  if (entry === undefined || entry.writer !== writer) return;
  if (--entry.refs > 0) return;
  writers.delete(writer.path);
  await writer.close();
}
