import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  archivePathFor,
  compressArchive,
  listArchives,
  pruneArchives,
  recoverArchives,
  utcStamp,
} from '../../../runtimes/node/rotation.js';
import { ls, tempDir } from './helpers.js';

const touch = (path: string, content: string, mtimeSec: number): void => {
  writeFileSync(path, content);
  utimesSync(path, mtimeSec, mtimeSec);
};

describe('rotation', () => {
  it('names archives by UTC time and adds -1, -2 … for names taken in any form', () => {
    const dir = tempDir();
    const now = Date.parse('2026-03-04T05:06:07.890Z');
    expect(utcStamp(now)).toBe('20260304T050607Z');
    expect(archivePathFor(dir, 'log', now)).toBe(join(dir, 'log.20260304T050607Z.ndjson'));
    writeFileSync(join(dir, 'log.20260304T050607Z.ndjson.gz'), '');
    expect(archivePathFor(dir, 'log', now)).toBe(join(dir, 'log.20260304T050607Z-1.ndjson'));
    writeFileSync(join(dir, 'log.20260304T050607Z-1.ndjson'), '');
    writeFileSync(join(dir, 'log.20260304T050607Z-2.ndjson.gz.tmp'), '');
    expect(archivePathFor(dir, 'log', now)).toBe(join(dir, 'log.20260304T050607Z-3.ndjson'));
    expect(archivePathFor(dir, 'log.error', now)).toBe(join(dir, 'log.error.20260304T050607Z.ndjson'));
  });

  it('prunes the oldest archives by modification time, per stream, whatever their names say', () => {
    const dir = tempDir();
    touch(join(dir, 'log.20260101T000000Z.ndjson.gz'), 'a', 4000); // newest by mtime
    touch(join(dir, 'log.20260102T000000Z.ndjson.gz'), 'b', 1000); // oldest
    touch(join(dir, 'log.20260103T000000Z.ndjson'), 'c', 3000);
    touch(join(dir, 'log.20260104T000000Z.ndjson.gz'), 'd', 2000);
    touch(join(dir, 'log.error.20260101T000000Z.ndjson.gz'), 'e', 500);
    pruneArchives(dir, 'log', 2);
    expect(ls(dir)).toEqual(['log.20260101T000000Z.ndjson.gz', 'log.20260103T000000Z.ndjson', 'log.error.20260101T000000Z.ndjson.gz']);
  });

  it('compresses with streaming zlib, keeping the archive time; on failure the archive stays uncompressed', async () => {
    const dir = tempDir();
    const path = join(dir, 'log.20260101T000000Z.ndjson');
    const content = '{"level":"info","time":"2026-01-01T00:00:00.000Z","msg":"x"}\n'.repeat(1000);
    touch(path, content, 1_700_000_000);
    expect(await compressArchive(path)).toBe(`${path}.gz`);
    expect(existsSync(path)).toBe(false);
    expect(gunzipSync(readFileSync(`${path}.gz`)).toString()).toBe(content);
    expect(listArchives(dir, 'log').map((a) => a.gzip)).toEqual([true]);

    const failing = join(dir, 'log.20260101T000001Z.ndjson');
    writeFileSync(failing, content);
    mkdirSync(`${failing}.gz.tmp`); // the temporary file cannot be created
    expect(await compressArchive(failing)).toBe(failing);
    expect(readFileSync(failing, 'utf8')).toBe(content);
    expect(existsSync(`${failing}.gz`)).toBe(false);
  });

  it('recovery after a crash: stale .tmp removed, a complete .gz wins over its original, the rest queued for compression', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'log.20260101T000000Z.ndjson'), 'done\n');
    writeFileSync(join(dir, 'log.20260101T000000Z.ndjson.gz'), 'complete gzip');
    writeFileSync(join(dir, 'log.20260101T000001Z.ndjson'), 'not yet\n');
    writeFileSync(join(dir, 'log.20260101T000001Z.ndjson.gz.tmp'), 'partial');
    writeFileSync(join(dir, 'log.20260101T000000Z-1.ndjson'), 'not yet either\n');
    writeFileSync(join(dir, 'log.error.20260101T000002Z.ndjson.gz.tmp'), 'other stream');
    expect(recoverArchives(dir, 'log')).toEqual([join(dir, 'log.20260101T000000Z-1.ndjson'), join(dir, 'log.20260101T000001Z.ndjson')]);
    expect(ls(dir)).toEqual([
      'log.20260101T000000Z-1.ndjson',
      'log.20260101T000000Z.ndjson.gz',
      'log.20260101T000001Z.ndjson',
      'log.error.20260101T000002Z.ndjson.gz.tmp',
    ]);
  });
});
