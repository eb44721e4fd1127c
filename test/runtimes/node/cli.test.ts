import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { msgs, tempDir, waitFor } from './helpers.js';

const cli = (args: string[]) =>
  spawnSync(process.execPath, [inject('cliEntry'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const line = (level: string, time: number, msg: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ level, time: new Date(time).toISOString(), msg, ...extra });

function logsDir(): string {
  const dir = tempDir();
  const now = Date.now();
  writeFileSync(
    join(dir, 'log.ndjson'),
    `${[
      line('info', now - 3_600_000, 'an hour ago'),
      line('warn', now - 120_000, 'cache miss storm', { hits: 0 }),
      line('info', now - 60_000, 'user signed in', { user: 'Ada' }),
      line('error', now - 30_000, 'payment declined', { user: 'ada', amount: 12 }),
    ].join('\n')}\n`,
  );
  return dir;
}

describe('shiplog CLI', () => {
  it('read: JSON lines when stdout is not a terminal, with --level, --since, --grep and --limit', () => {
    const dir = logsDir();
    expect(msgs(cli(['read', dir]).stdout)).toEqual(['an hour ago', 'cache miss storm', 'user signed in', 'payment declined']);
    expect(msgs(cli(['read', dir, '--level', 'warn']).stdout)).toEqual(['cache miss storm', 'payment declined']);
    expect(msgs(cli(['read', dir, '--since', '10m']).stdout)).toEqual(['cache miss storm', 'user signed in', 'payment declined']);
    expect(msgs(cli(['read', dir, '--grep', 'ADA']).stdout)).toEqual(['user signed in', 'payment declined']);
    expect(msgs(cli(['read', join(dir, 'log.ndjson'), '--limit', '1', '--json']).stdout)).toEqual(['an hour ago']);
  });

  it('colored human lines on a terminal', () => {
    const dir = logsDir();
    // `script` runs the CLI on a pseudo-terminal, so stdout.isTTY is true.
    const result = spawnSync('script', ['-qec', `${process.execPath} ${inject('cliEntry')} read ${dir} --level error`, '/dev/null'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('\u001b[31mERROR\u001b[0m payment declined');
    expect(result.stdout).toMatch(/user=\S*ada \S*amount=\S*12/);
    expect(result.stdout).not.toContain('{"level"');
    const plain = spawnSync('script', ['-qec', `${process.execPath} ${inject('cliEntry')} read ${dir} --level error`, '/dev/null'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(plain.stdout).toMatch(/ERROR payment declined user=ada amount=12/);
    expect(plain.stdout).not.toContain('\u001b[');
  });

  it('rejects bad usage with exit code 2 and the usage text', () => {
    // Names every object has (`in` finds them): accepted, they would silently match nothing.
    const names = ['constructor', '__proto__', 'toString'].map((level) => ['read', logsDir(), '--level', level]);
    for (const args of [['read'], ['read', 'x', '--level', 'loud'], ['read', 'x', '--since', 'soon'], ...names]) {
      const result = cli(args);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('Usage: shiplog read');
    }
    for (const args of [[], ['tial', 'x']]) {
      const result = cli(args);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('Usage: shiplog <command>');
    }
    expect(cli(['read', '/nonexistent/logs']).status).toBe(2);
  });

  it('--follow prints appended events and follows a rotation', async () => {
    const dir = logsDir();
    const child = spawn(process.execPath, [inject('cliEntry'), 'read', dir, '--follow', '--level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor(() => msgs(out).length === 2, 10_000, 'existing events');
      appendFileSync(join(dir, 'log.ndjson'), `${line('error', Date.now(), 'appended later')}\n${line('info', Date.now(), 'filtered out')}\n`);
      await waitFor(() => msgs(out).length === 3, 10_000, 'the appended event');
      renameSync(join(dir, 'log.ndjson'), join(dir, 'rotated.ndjson'));
      writeFileSync(join(dir, 'log.ndjson'), `${line('fatal', Date.now(), 'after rotation')}\n`);
      await waitFor(() => msgs(out).length === 4, 10_000, 'the event after rotation');
      expect(msgs(out)).toEqual(['cache miss storm', 'payment declined', 'appended later', 'after rotation']);
    } finally {
      child.kill('SIGINT');
    }
    const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
  });

  it('--since before the Date range reads everything of a directory instead of failing', () => {
    const dir = logsDir();
    const result = cli(['read', dir, '--since', '300000000d']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(msgs(result.stdout)).toHaveLength(4);
    // A duration so long it is Infinity is a usage error, not a crash later on.
    const endless = cli(['read', dir, '--since', `${'9'.repeat(400)}w`]);
    expect(endless.status).toBe(2);
    expect(endless.stderr).toMatch(/--since: shiplog: not a time/);
  });

  it('--follow ends at once when the archives already filled --limit (no wait for an append)', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'archive'));
    const now = Date.now();
    writeFileSync(join(dir, 'archive', 'log.20260101T000000Z.ndjson'), `${line('info', now, 'one')}\n${line('info', now, 'two')}\n`);
    const result = spawnSync(process.execPath, [inject('cliEntry'), 'read', dir, '--follow', '--limit', '2'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 5000,
    });
    expect(result.error).toBeUndefined(); // ETIMEDOUT when it waited (SIGTERM then ends it with code 0)
    expect(result.status).toBe(0);
    expect(msgs(result.stdout)).toEqual(['one', 'two']);
  });
});
