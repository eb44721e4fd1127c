import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { msgs, tempDir, waitFor } from './helpers.js';

const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, [inject('cliEntry'), ...args], { encoding: 'utf8', input: input ?? '', env: { ...process.env, NO_COLOR: '' } });

const event = (level: string, msg: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ level, time: '2026-11-21T10:20:00.123Z', msg, ...extra });

describe('shiplog CLI commands', () => {
  it('read - reads events from stdin, with the same filters', () => {
    const input = `${event('info', 'one')}\nnot json\n${event('warn', 'two', { user: 'ada' })}\n${event('error', 'three')}`;
    const result = cli(['read', '-', '--level', 'warn'], input);
    expect(result.status).toBe(0);
    expect(msgs(result.stdout)).toEqual(['two', 'three']);
    expect(msgs(cli(['read', '-', '--grep', 'ADA'], input).stdout)).toEqual(['two']);
    expect(msgs(cli(['read', '-', '--limit', '1'], input).stdout)).toEqual(['one']);
  });

  it('pretty: readable lines for events, other lines passed through in order', () => {
    const input = `${event('info', 'order created', { orderId: 'o_1' })}\nlistening on :3000\n${event('debug', 'cache hit')}\n${event('error', 'payment failed', { amount: 12 })}\n`;
    const result = cli(['pretty'], input);
    expect(result.status).toBe(0);
    // The human line is the shared formatter's (cli-format.ts): time, level, message, fields.
    const lines = (stdout: string) => stdout.trimEnd().split('\n');
    const all = lines(result.stdout);
    expect(all).toHaveLength(4);
    expect(all[0]).toMatch(/10:20:00\.123 INFO +order created orderId=o_1$/);
    expect(all[1]).toBe('listening on :3000');
    expect(all[2]).toMatch(/10:20:00\.123 DEBUG cache hit$/);
    expect(all[3]).toMatch(/10:20:00\.123 ERROR payment failed amount=12$/);
    const filtered = lines(cli(['pretty', '--level', 'info'], input).stdout);
    expect(filtered).toEqual([all[0], all[1], all[3]]);
  });

  it('pretty works as a live pipe: each line comes out as it goes in', async () => {
    const child = spawn(process.execPath, [inject('cliEntry'), 'pretty'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin.write(`${event('info', 'first')}\n`);
    await waitFor(() => out.includes('first'), 10_000, 'the first line');
    child.stdin.end(`${event('warn', 'second')}\n`);
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(out).toMatch(/^\S+ 10:20:00\.123 INFO +first\n\S+ 10:20:00\.123 WARN +second\n$/);
  });

  it('tail prints the last n events, then follows appends', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'log.ndjson'), `${['a', 'b', 'c', 'd'].map((m) => event('info', m)).join('\n')}\n`);
    const child = spawn(process.execPath, [inject('cliEntry'), 'tail', dir, '-n', '2', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor(() => msgs(out).length === 2, 10_000, 'the last two events');
      appendFileSync(join(dir, 'log.ndjson'), `${event('info', 'e')}\n`);
      await waitFor(() => msgs(out).length === 3, 10_000, 'the appended event');
      expect(msgs(out)).toEqual(['c', 'd', 'e']);
    } finally {
      child.kill('SIGINT');
    }
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
  });

  it('--help for each command, and the list of commands', () => {
    for (const [name, text] of [['read', 'Usage: shiplog read'], ['tail', 'Usage: shiplog tail'], ['pretty', 'shiplog pretty']] as const) {
      const result = cli([name, '--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(text);
      expect(cli(['help', name]).stdout).toBe(result.stdout);
    }
    const all = cli(['--help']);
    expect(all.status).toBe(0);
    expect(all.stdout).toMatch(/read +read and filter logs[\s\S]*tail +print the last[\s\S]*pretty +make JSON lines/);
  });
});
