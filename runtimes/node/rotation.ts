import { createReadStream, createWriteStream, existsSync, readdirSync, renameSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/**
 * Archive naming, compression and retention for rotated log files.
 *
 * An archive of stream `log` is `log.<UTC YYYYMMDDTHHMMSSZ>[-N].ndjson[.gz]` in the archive
 * directory. Compression writes `<name>.gz.tmp` and renames it to `<name>.gz` only when it is
 * complete, so every `.gz` on disk is a whole gzip member; the uncompressed archive is removed
 * after that rename. A crash at any point leaves either the uncompressed archive, or both
 * (the `.gz` wins), plus perhaps a stale `.tmp`; {@link recoverArchives} tidies that up.
 */

/** One archive on disk (compressed or not), identified by stream, stamp and suffix. */
export interface ArchiveFile {
  /** Absolute path of the file to read. */
  path: string;
  /** Stream name, e.g. `log` or `log.error`. */
  stream: string;
  /** `YYYYMMDDTHHMMSSZ` of the rotation. */
  stamp: string;
  /** 0 for the first archive of that second, then 1, 2, … */
  suffix: number;
  gzip: boolean;
}

const ARCHIVE_RE = /^(.+)\.(\d{8}T\d{6}Z)(?:-(\d+))?\.ndjson(\.gz)?$/;

/** `20261121T102000Z` for a time. */
export function utcStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Parses an archive file name; undefined when the name is not an archive. */
export function parseArchiveName(dir: string, name: string): ArchiveFile | undefined {
  const match = ARCHIVE_RE.exec(name);
  if (match === null) return undefined;
  return {
    path: join(dir, name),
    stream: match[1] as string,
    stamp: match[2] as string,
    suffix: match[3] === undefined ? 0 : Number(match[3]),
    gzip: match[4] !== undefined,
  };
}

/** Oldest first: by stamp, then suffix. */
export function compareArchives(a: ArchiveFile, b: ArchiveFile): number {
  return a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.suffix - b.suffix;
}

const baseName = (stream: string, stamp: string, suffix: number): string =>
  `${stream}.${stamp}${suffix === 0 ? '' : `-${suffix}`}.ndjson`;

/**
 * Archives of one stream in time order, one entry per archive: where both the compressed and
 * the uncompressed file exist (a crash between rename and unlink), the `.gz` is the archive.
 */
export function listArchives(archiveDir: string, stream: string): ArchiveFile[] {
  let names: string[];
  try {
    names = readdirSync(archiveDir);
  } catch {
    return [];
  }
  const byKey = new Map<string, ArchiveFile>();
  for (const name of names) {
    const archive = parseArchiveName(archiveDir, name);
    if (archive === undefined || archive.stream !== stream) continue;
    const key = baseName(archive.stream, archive.stamp, archive.suffix);
    const seen = byKey.get(key);
    if (seen === undefined || archive.gzip) byKey.set(key, archive);
  }
  return [...byKey.values()].sort(compareArchives);
}

/** A free uncompressed archive path for a rotation at `now` (adds `-1`, `-2` … when taken). */
export function archivePathFor(archiveDir: string, stream: string, now: number): string {
  const stamp = utcStamp(now);
  for (let suffix = 0; ; suffix++) {
    const path = join(archiveDir, baseName(stream, stamp, suffix));
    if (!existsSync(path) && !existsSync(`${path}.gz`) && !existsSync(`${path}.gz.tmp`)) return path;
  }
}

/**
 * Compresses an uncompressed archive with streaming zlib. On success the archive becomes
 * `<path>.gz`; on any failure the temporary file is removed and the archive stays
 * uncompressed (still readable). Never rejects; returns the path of the archive afterwards.
 */
export async function compressArchive(path: string): Promise<string> {
  const tmp = `${path}.gz.tmp`;
  try {
    const { atime, mtime } = statSync(path);
    await pipeline(createReadStream(path), createGzip(), createWriteStream(tmp));
    // Keep the archive's age (time of its last event): pruning goes by modification time.
    utimesSync(tmp, atime, mtime);
    renameSync(tmp, `${path}.gz`);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // Nothing was created, or it is already gone.
    }
    return path;
  }
  try {
    unlinkSync(path);
  } catch {
    // The .gz is complete; a leftover original is removed by the next recovery.
  }
  return `${path}.gz`;
}

/**
 * Deletes the oldest archives of `stream` (by modification time) until at most `maxArchives`
 * remain. Errors are ignored: retention is best effort and must never disturb writing.
 */
export function pruneArchives(archiveDir: string, stream: string, maxArchives: number): void {
  const archives = listArchives(archiveDir, stream).map((archive) => {
    let mtimeMs = 0;
    try {
      mtimeMs = statSync(archive.path).mtimeMs;
    } catch {
      // Vanished meanwhile; sorts first and its removal is a no-op.
    }
    return { archive, mtimeMs };
  });
  if (archives.length <= maxArchives) return;
  archives.sort((a, b) => a.mtimeMs - b.mtimeMs || compareArchives(a.archive, b.archive));
  for (const { archive } of archives.slice(0, archives.length - maxArchives)) {
    for (const path of archive.gzip ? [archive.path, archive.path.slice(0, -3)] : [archive.path]) {
      try {
        unlinkSync(path);
      } catch {
        // Already gone.
      }
    }
  }
}

/**
 * Tidies what a crash can leave behind for one stream: removes stale `.gz.tmp` files and
 * uncompressed archives whose `.gz` is complete. Returns the uncompressed archives that still
 * need compressing, oldest first.
 */
export function recoverArchives(archiveDir: string, stream: string): string[] {
  let names: string[];
  try {
    names = readdirSync(archiveDir);
  } catch {
    return [];
  }
  const present = new Set(names);
  const pending: ArchiveFile[] = [];
  for (const name of names) {
    if (name.endsWith('.gz.tmp')) {
      const archive = parseArchiveName(archiveDir, name.slice(0, -4));
      if (archive?.stream === stream) tryUnlink(join(archiveDir, name));
      continue;
    }
    const archive = parseArchiveName(archiveDir, name);
    if (archive === undefined || archive.stream !== stream || archive.gzip) continue;
    if (present.has(`${name}.gz`)) tryUnlink(archive.path);
    else pending.push(archive);
  }
  return pending.sort(compareArchives).map((a) => a.path);
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** Stream name of an active file: `log` for `log.ndjson`. */
export function streamOf(activePath: string): string {
  return basename(activePath).replace(/\.ndjson$/, '');
}
