import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { fileRecords, tempDir } from './helpers.js';

const isRoot = process.getuid?.() === 0;

// Runs as `nobody` (root ignores file permissions, so EACCES needs another user).
const CHILD = `
const { createLogger, fileSink } = await import(process.env.SHIPLOG_ENTRY);
setInterval(() => {}, 1000); // a server's handles keep it alive (shiplog's retry timers are unref'd)
const dropped = [];
const log = createLogger({
  exit: false,
  sinks: [fileSink({ dir: process.argv[1], errorFile: false, retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5 } })],
  onDropped: (events, reason) => dropped.push({ reason, count: events.length }),
});
let threw = false;
try { log.info('denied'); } catch { threw = true; }
const first = await log.flush();
console.log(JSON.stringify({ threw, first, dropped, stats: log.stats().sinks.file }));
process.stdin.once('data', async () => {
  log.info('allowed');
  console.log(JSON.stringify({ second: await log.flush() }));
  process.exit(0);
});`;

describe.runIf(isRoot)('disk errors: permission denied', () => {
  it('EACCES is reported through stats and onDropped, never thrown; writing resumes once permitted', async () => {
    const root = tempDir();
    chmodSync(root, 0o755);
    const dir = join(root, 'logs');
    mkdirSync(dir, { mode: 0o755 }); // owned by root: nobody may not create files in it
    chmodSync(dir, 0o755);
    const child = spawn('runuser', ['-u', 'nobody', '--', process.execPath, '--input-type=module', '-e', CHILD, dir], {
      env: { ...process.env, SHIPLOG_ENTRY: inject('nodeEntry') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    let exited = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', () => (exited = true));
    const lines: Record<string, unknown>[] = [];
    const next = (): Promise<Record<string, unknown>> =>
      new Promise((resolve, reject) => {
        const seen = lines.length;
        const check = (): void => {
          if (lines.length > seen) resolve(lines[seen] as Record<string, unknown>);
          else if (exited) reject(new Error(`child ended early: ${stderr}`));
          else setTimeout(check, 10);
        };
        check();
      });
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() as string;
      for (const part of parts) lines.push(JSON.parse(part) as Record<string, unknown>);
    });
    const first = await next();
    expect(first).toMatchObject({
      threw: false,
      first: { ok: false, delivered: 0, dropped: 1 },
      dropped: [{ reason: 'retries-exhausted', count: 1 }],
      stats: { accepted: 1, dropped: 1, failures: 2, lastError: { message: expect.stringMatching(/EACCES/) } },
    });
    chmodSync(dir, 0o777); // permission granted
    child.stdin.write('go\n');
    expect(await next()).toMatchObject({ second: { ok: true, delivered: 1 } });
    if (!exited) await new Promise((resolve) => child.on('exit', resolve));
    expect(fileRecords(join(dir, 'log.ndjson')).map((r) => r.msg)).toEqual(['allowed']);
  });
});
