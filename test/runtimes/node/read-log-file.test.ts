import { spawnSync } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseSince, readLogFile, type LogRecord, type ReadLogOptions } from '../../../runtimes/node/index.js';
import { tempDir } from './helpers.js';
import { compressArchive } from '../../../runtimes/node/rotation.js';

const line = (level: string, time: string, msg: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ level, time, msg, ...extra });

async function read(path: string, options?: ReadLogOptions): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const record of readLogFile(path, options)) out.push(record);
  return out;
}

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

function sample(): string {
  return [
    line('debug', at(0), 'boot'),
    line('info', at(1), 'ready', { port: 8080 }),
    line('warn', at(2), 'slow query', { ms: 900 }),
    line('error', at(3), 'payment failed', { user: 'u1' }),
    line('info', at(4), 'done'),
  ].join('\n');
}

describe('readLogFile', () => {
  it('reads .ndjson and .ndjson.gz alike, filtering by level, time range, predicate and limit', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.ndjson'), `${sample()}\n`);
    writeFileSync(join(dir, 'a.ndjson.gz'), gzipSync(`${sample()}\n`));
    for (const file of ['a.ndjson', 'a.ndjson.gz']) {
      const path = join(dir, file);
      expect((await read(path)).map((r) => r.msg)).toEqual(['boot', 'ready', 'slow query', 'payment failed', 'done']);
      expect((await read(path, { level: 'warn' })).map((r) => r.msg)).toEqual(['slow query', 'payment failed']);
      expect((await read(path, { since: at(1), until: new Date(T0 + 3 * 60_000) })).map((r) => r.msg)).toEqual(['ready', 'slow query', 'payment failed']);
      expect((await read(path, { filter: (r) => r.user === 'u1' })).map((r) => r.msg)).toEqual(['payment failed']);
      expect((await read(path, { limit: 2 })).map((r) => r.msg)).toEqual(['boot', 'ready']);
      expect(await read(path, { limit: 0 })).toEqual([]);
    }
  });

  it('tolerates a torn last line, foreign lines, and a truncated gzip (keeps what is complete)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'torn.ndjson'), `${sample()}\nnot json\n\n{"level":"info","time":"${at(5)}","msg":"cut of`);
    expect((await read(join(dir, 'torn.ndjson'))).map((r) => r.msg)).toEqual(['boot', 'ready', 'slow query', 'payment failed', 'done']);
    const big = Array.from({ length: 5000 }, (_, i) => line('info', at(i), `m${i}`, { pad: 'z'.repeat(i % 97) })).join('\n');
    const gz = gzipSync(`${big}\n`);
    writeFileSync(join(dir, 'cut.ndjson.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
    const records = await read(join(dir, 'cut.ndjson.gz'));
    expect(records.length).toBeGreaterThan(100);
    expect(records.length).toBeLessThan(5000);
    records.forEach((r, i) => expect(r.msg).toBe(`m${i}`));
  });

  it('given a logs directory, reads archives (time order, -N suffixes) then the active file; errors: true reads the error stream', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'archive'));
    const archive = (name: string, msgs: string[], gz: boolean): void => {
      const text = `${msgs.map((m, i) => line('info', at(i), m)).join('\n')}\n`;
      writeFileSync(join(dir, 'archive', name), gz ? gzipSync(text) : text);
    };
    archive('log.20260101T000500Z-1.ndjson.gz', ['c'], true);
    archive('log.20260101T000500Z.ndjson.gz', ['b'], true);
    archive('log.20251231T235900Z.ndjson', ['a'], false);
    archive('log.20260101T000500Z-2.ndjson.gz', ['d'], true);
    archive('log.20260101T000500Z-2.ndjson', ['d (duplicate left by a crash before unlink)'], false);
    archive('log.error.20260101T000500Z.ndjson.gz', ['error archive'], true);
    archive('other.20260101T000500Z.ndjson.gz', ['other stream'], true);
    writeFileSync(join(dir, 'archive', 'log.20260101T000600Z.ndjson.gz.tmp'), 'partial');
    writeFileSync(join(dir, 'log.ndjson'), `${line('info', at(9), 'e')}\n`);
    writeFileSync(join(dir, 'log.error.ndjson'), `${line('error', at(9), 'active error')}\n`);
    expect((await read(dir)).map((r) => r.msg)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect((await read(dir, { errors: true })).map((r) => r.msg)).toEqual(['error archive', 'active error']);
    expect((await read(dir, { baseName: 'other' })).map((r) => r.msg)).toEqual(['other stream']);
  });

  it('an archive compressed (renamed to .gz, original removed) after the directory was listed is read from its .gz', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'archive'));
    const first = join(dir, 'archive', 'log.20260101T000000Z.ndjson');
    const second = join(dir, 'archive', 'log.20260101T000100Z.ndjson');
    writeFileSync(first, `${line('info', at(0), 'a')}\n`);
    writeFileSync(second, `${line('info', at(1), 'b')}\n`);
    writeFileSync(join(dir, 'log.ndjson'), `${line('info', at(2), 'c')}\n`);
    const records = readLogFile(dir);
    const seen = [(await records.next()).value?.msg]; // the directory is listed by now
    expect(await compressArchive(second)).toBe(`${second}.gz`); // what rotation does in the background
    for await (const record of records) seen.push(record.msg);
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('streams: reads a file many times larger than the heap it is given', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const path = join(dir, 'big.ndjson');
    const chunk = Buffer.from(
      `${Array.from({ length: 1000 }, (_, i) => line(i % 10 === 0 ? 'warn' : 'info', at(0), 'bulk', { i, pad: 'q'.repeat(100) })).join('\n')}\n`,
    );
    const fd = openSync(path, 'w');
    let bytes = 0;
    while (bytes < 160 * 1024 * 1024) bytes += writeSync(fd, chunk);
    closeSync(fd);
    // A child with a 48 MB old-space limit: buffering the 160 MB file would crash it.
    const script = `
      const { readLogFile } = await import(process.env.SHIPLOG_ENTRY);
      let n = 0;
      for await (const r of readLogFile(process.argv[1], { level: 'warn' })) n++;
      console.log(JSON.stringify({ n, heap: process.memoryUsage().heapUsed }));`;
    const child = spawnSync(process.execPath, ['--max-old-space-size=48', '--input-type=module', '-e', script, path], {
      env: { ...process.env, SHIPLOG_ENTRY: (await import('vitest')).inject('nodeEntry') },
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    const { n } = JSON.parse(child.stdout) as { n: number };
    expect(n).toBe((Math.ceil((160 * 1024 * 1024) / chunk.length) * 1000) / 10);
  });

  it('parseSince: durations ago, ISO dates, Date and epoch ms; rejects anything else', () => {
    const now = T0;
    expect(parseSince('10m', now)).toBe(now - 600_000);
    expect(parseSince('1.5h', now)).toBe(now - 5_400_000);
    expect(parseSince('500ms', now)).toBe(now - 500);
    expect(parseSince('2d', now)).toBe(now - 172_800_000);
    expect(parseSince('2026-01-01T00:00:00Z', now)).toBe(T0);
    expect(parseSince(new Date(T0))).toBe(T0);
    expect(parseSince(T0)).toBe(T0);
    expect(() => parseSince('yesterday')).toThrow(RangeError);
    expect(() => parseSince(Number.NaN)).toThrow(RangeError);
  });
});
