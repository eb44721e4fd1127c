import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { createLogger, fileSink, readLogFile, type DropReason, type LogEvent } from '../../../runtimes/node/index.js';
import { fileLines, fileRecords, ls, tempDir } from './helpers.js';

const quiet = { exit: false } as const;

describe('fileSink', () => {
  it('writes every event to log.ndjson and error/fatal also to log.error.ndjson', async () => {
    const dir = tempDir();
    const log = createLogger({ ...quiet, level: 'debug', sinks: [fileSink({ dir })] });
    log.debug('d');
    log.info('hello', { n: 1 });
    log.warn('careful');
    log.error(new Error('boom'), 'failed');
    log.fatal('dead');
    const result = await log.flush();
    expect(result).toMatchObject({ ok: true, delivered: 5, dropped: 0, pending: 0, timedOut: false });
    expect(fileRecords(join(dir, 'log.ndjson')).map((r) => [r.level, r.msg])).toEqual([
      ['debug', 'd'],
      ['info', 'hello'],
      ['warn', 'careful'],
      ['error', 'failed'],
      ['fatal', 'dead'],
    ]);
    expect(fileRecords(join(dir, 'log.error.ndjson')).map((r) => r.msg)).toEqual(['failed', 'dead']);
    expect(log.stats().sinks.file).toMatchObject({ accepted: 5, delivered: 5, dropped: 0, pending: 0 });
    await log.shutdown();
  });

  it('keeps all 200k events of a tight synchronous loop, with default settings and bounded buffering', async () => {
    const dir = tempDir();
    const sink = fileSink({ dir, errorFile: false });
    const log = createLogger({ ...quiet, sinks: [sink] });
    let maxPending = 0;
    for (let i = 0; i < 200_000; i++) {
      log.info('burst', { i });
      if ((i & 1023) === 0) maxPending = Math.max(maxPending, log.pending);
    }
    // Memory bound: never more than maxBufferSize (default 1000) events held.
    expect(maxPending).toBeLessThanOrEqual(1000);
    const result = await log.flush();
    expect(result.dropped).toBe(0);
    await sink.idle();
    // ~20 MB (each line carries its eventId): the 10 MiB default rotates once per 10 MiB; archives then active file hold everything, in order.
    expect(ls(join(dir, 'archive'))).toHaveLength(2);
    let next = 0;
    for await (const record of readLogFile(dir)) {
      if (record.i !== next) throw new Error(`expected event ${next}, read ${JSON.stringify(record)}`);
      next++;
    }
    expect(next).toBe(200_000);
    expect(log.stats().sinks.file).toMatchObject({ accepted: 200_000, delivered: 200_000, dropped: 0 });
    await log.shutdown();
  });

  it('rotates before a write would pass maxSizeBytes, into gzip archives named by UTC time, oldest pruned', async () => {
    const dir = tempDir();
    const sink = fileSink({ dir, maxSizeBytes: 4096, maxArchives: 3, errorFile: false });
    const log = createLogger({ ...quiet, sinks: [sink] });
    for (let i = 0; i < 400; i++) log.info('rotating', { i, pad: 'x'.repeat(40) });
    await log.flush();
    await sink.idle();
    const archives = ls(join(dir, 'archive'));
    expect(archives).toHaveLength(3);
    for (const name of archives) {
      expect(name).toMatch(/^log\.\d{8}T\d{6}Z(-\d+)?\.ndjson\.gz$/);
      const content = gunzipSync(readFileSync(join(dir, 'archive', name)));
      expect(content.length).toBeLessThanOrEqual(4096);
      expect(content.length).toBeGreaterThan(4096 - 200);
    }
    expect(statSync(join(dir, 'log.ndjson')).size).toBeLessThanOrEqual(4096);
    // The newest archives plus the active file hold the newest events, contiguous and in order.
    const seen: number[] = [];
    for await (const record of readLogFile(dir)) seen.push(record.i as number);
    expect(seen.at(-1)).toBe(399);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, k) => 400 - seen.length + k));
    expect(seen.length).toBeGreaterThan(3 * 25); // about 29 lines of ~140 bytes per 4 KB file
    await log.shutdown();
  });

  it('adds -1, -2 … when rotations fall in the same second, and reads them back in order', async () => {
    const dir = tempDir();
    const sink = fileSink({ dir, maxSizeBytes: 1024, maxArchives: 100, errorFile: false });
    const log = createLogger({ ...quiet, sinks: [sink] });
    for (let i = 0; i < 100; i++) log.info('x', { i, pad: 'y'.repeat(60) });
    await log.flush();
    await sink.idle();
    const archives = ls(join(dir, 'archive'));
    expect(archives.length).toBeGreaterThanOrEqual(8);
    expect(archives.some((name) => /-\d+\.ndjson\.gz$/.test(name))).toBe(true);
    const seen: number[] = [];
    for await (const record of readLogFile(dir)) seen.push(record.i as number);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, k) => k));
    await log.shutdown();
  });

  it('rotates an active file that is already over the limit at start, and terminates a torn last line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'log.ndjson'), `${'{"level":"info","time":"2020-01-01T00:00:00.000Z","msg":"old"}\n'.repeat(100)}`);
    const torn = tempDir();
    writeFileSync(join(torn, 'log.ndjson'), '{"level":"info","time":"2020-01-01T00:00:00.000Z","msg":"whole"}\n{"level":"info","ti');
    const big = fileSink({ dir, maxSizeBytes: 1000, errorFile: false, gzip: false });
    const tornSink = fileSink({ dir: torn, errorFile: false });
    const log = createLogger({ ...quiet, sinks: [big, tornSink] });
    log.info('new');
    await log.flush();
    await big.idle();
    const [archive, ...more] = ls(join(dir, 'archive'));
    expect(more).toEqual([]);
    expect(archive).toMatch(/^log\.\d{8}T\d{6}Z\.ndjson$/);
    expect(fileLines(join(dir, 'archive', archive as string))).toHaveLength(100);
    expect(fileRecords(join(dir, 'log.ndjson')).map((r) => r.msg)).toEqual(['new']);
    const lines = fileLines(join(torn, 'log.ndjson'));
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2] as string)).toMatchObject({ msg: 'new' });
    const readable: unknown[] = [];
    for await (const record of readLogFile(torn)) readable.push(record.msg);
    expect(readable).toEqual(['whole', 'new']);
    await log.shutdown();
  });

  it('several loggers on one file share one writer: whole lines, one rotation sequence', async () => {
    const dir = tempDir();
    const a = createLogger({ ...quiet, sinks: [fileSink({ dir, maxSizeBytes: 2048, maxArchives: 50, errorFile: false })] });
    const b = createLogger({ ...quiet, sinks: [fileSink({ dir, maxSizeBytes: 2048, maxArchives: 50, errorFile: false })] });
    for (let i = 0; i < 300; i++) {
      a.info('a', { i });
      b.info('b', { i });
    }
    await Promise.all([a.flush(), b.flush()]);
    const seen = { a: 0, b: 0 };
    for await (const record of readLogFile(dir)) seen[record.msg as 'a' | 'b']++;
    expect(seen).toEqual({ a: 300, b: 300 });
    await Promise.all([a.shutdown(), b.shutdown()]);
  });

  it('reports a full disk (ENOSPC) through stats and onDropped, never throws, and resumes when space is back', async () => {
    const dir = tempDir();
    symlinkSync('/dev/full', join(dir, 'log.ndjson'));
    const dropped: { reason: DropReason; events: readonly LogEvent[] }[] = [];
    const log = createLogger({
      ...quiet,
      sinks: [fileSink({ dir, errorFile: false, retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5 } })],
      onDropped: (events, reason) => dropped.push({ events, reason }),
    });
    expect(() => log.info('lost', { n: 1 })).not.toThrow();
    const failed = await log.flush();
    expect(failed).toMatchObject({ ok: false, dropped: 1, delivered: 0 });
    expect(dropped).toEqual([{ reason: 'retries-exhausted', events: [expect.objectContaining({ level: 'info' })] }]);
    const stats = log.stats().sinks.file;
    expect(stats).toMatchObject({ accepted: 1, delivered: 0, dropped: 1, failures: 2, retries: 1 });
    expect(stats?.lastError?.message).toMatch(/ENOSPC/);

    unlinkSync(join(dir, 'log.ndjson')); // space is back
    log.info('kept', { n: 2 });
    expect(await log.flush()).toMatchObject({ ok: true, delivered: 1 });
    expect(lstatSync(join(dir, 'log.ndjson')).isFile()).toBe(true);
    expect(fileRecords(join(dir, 'log.ndjson')).map((r) => r.msg)).toEqual(['kept']);
    await log.shutdown();
  });

  it('follows a removed directory, and reports a directory that cannot be created until it can', async () => {
    const root = tempDir();
    const dir = join(root, 'logs');
    const dropped: DropReason[] = [];
    const log = createLogger({
      ...quiet,
      sinks: [fileSink({ dir, errorFile: false, retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5 } })],
      onDropped: (events, reason) => dropped.push(...events.map(() => reason)),
    });
    log.info('first');
    await log.flush();
    rmSync(dir, { recursive: true });
    log.info('after removal');
    expect(await log.flush()).toMatchObject({ ok: true, delivered: 1 });
    expect(fileRecords(join(dir, 'log.ndjson')).map((r) => r.msg)).toEqual(['after removal']);

    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'a file where the directory was'); // mkdir and open now fail
    log.info('nowhere to go');
    expect(await log.flush()).toMatchObject({ ok: false, dropped: 1 });
    expect(dropped).toEqual(['retries-exhausted']);
    expect(log.stats().sinks.file?.lastError?.message).toMatch(/EEXIST|ENOTDIR/);

    unlinkSync(dir);
    log.info('recovered');
    expect(await log.flush()).toMatchObject({ ok: true, delivered: 1 });
    expect(fileRecords(join(dir, 'log.ndjson')).map((r) => r.msg)).toEqual(['recovered']);
    await log.shutdown();
  });

  it('an unusable archive directory costs no event: the active file grows past the limit until rotation works again', async () => {
    const dir = tempDir();
    const archiveDir = join(dir, 'archive');
    writeFileSync(archiveDir, 'a file where the archive directory should be'); // mkdir fails: EEXIST
    const dropped: DropReason[] = [];
    const warnings: { code?: string; message: string }[] = [];
    const onWarning = (warning: Error & { code?: string }): void => void warnings.push({ code: warning.code, message: warning.message });
    process.on('warning', onWarning);
    // Only Date is faked: the rotation retry delay passes at once, the pipeline's timers stay real.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    try {
      const sink = fileSink({ dir, maxSizeBytes: 2000, errorFile: false, gzip: false, retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 } });
      const log = createLogger({ ...quiet, sinks: [sink], onDropped: (events, reason) => dropped.push(...events.map(() => reason)) });
      for (let i = 0; i < 100; i++) {
        log.info('kept', { i });
        if (i % 10 === 9) expect(await log.flush()).toMatchObject({ ok: true, dropped: 0 });
      }
      expect(dropped).toEqual([]);
      expect(fileRecords(join(dir, 'log.ndjson')).map((r) => r.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(statSync(join(dir, 'log.ndjson')).size).toBeGreaterThan(2000);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      expect(warnings.filter((w) => w.code === 'SHIPLOG_ROTATION_FAILED')).toHaveLength(1);
      expect(warnings[0]?.message).toMatch(/EEXIST/);

      // The archive directory becomes usable; the next rotation attempt (after the retry delay) works.
      unlinkSync(archiveDir);
      vi.setSystemTime(Date.now() + 1500);
      for (let i = 100; i < 110; i++) log.info('kept', { i });
      expect(await log.flush()).toMatchObject({ ok: true, dropped: 0 });
      await sink.idle();
      expect(ls(archiveDir)).toHaveLength(1);
      expect(statSync(join(dir, 'log.ndjson')).size).toBeLessThanOrEqual(2000);
      const seen: number[] = [];
      for await (const record of readLogFile(dir)) seen.push(record.i as number);
      expect(seen).toEqual(Array.from({ length: 110 }, (_, i) => i));
      expect(log.stats().sinks.file).toMatchObject({ accepted: 110, delivered: 110, dropped: 0, failures: 0 });
      await log.shutdown();
    } finally {
      vi.useRealTimers();
      process.off('warning', onWarning);
    }
  });

  it('with fsync: true, writes the same bytes (flush = on disk)', async () => {
    const dir = tempDir();
    const log = createLogger({ ...quiet, sinks: [fileSink({ dir, fsync: true, maxSizeBytes: 2000, maxArchives: 100 })] });
    for (let i = 0; i < 100; i++) log.error('e', { i });
    expect(await log.flush()).toMatchObject({ ok: true, delivered: 100 });
    const seen: number[] = [];
    for await (const record of readLogFile(dir, { errors: true })) seen.push(record.i as number);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, k) => k));
    await log.shutdown();
    expect(existsSync(join(dir, 'log.ndjson'))).toBe(true);
  });
});
