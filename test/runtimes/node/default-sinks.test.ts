import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { tempDir } from './helpers.js';

/**
 * Runs `createLogger(<options>)` + two log calls in a child Node process in a fresh working
 * directory, stdout/stderr piped, with exactly the NODE_ENV given; returns what it printed and wrote.
 */
function run(options: string, nodeEnv: string | undefined, viaTerminal = false) {
  const cwd = tempDir();
  const script = `const { createLogger } = await import(${JSON.stringify(inject('nodeEntry'))});
const log = createLogger(${options});
log.info('order created', { orderId: 'o_1' });
log.error('payment failed', { code: 'DECLINED' });`;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  if (nodeEnv !== undefined) env.NODE_ENV = nodeEnv;
  const command = [process.execPath, '--input-type=module', '-e', script];
  // `script` gives the child a pseudo-terminal, so process.stdout.isTTY is true.
  const result = viaTerminal
    ? spawnSync('script', ['-qec', command.map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' '), '/dev/null'], { cwd, env, encoding: 'utf8' })
    : spawnSync(command[0] as string, command.slice(1), { cwd, env, encoding: 'utf8' });
  const file = join(cwd, 'logs', 'log.ndjson');
  const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, fileLines: lines };
}

describe('Node default sinks', () => {
  it('in development (NODE_ENV unset) the file gets JSON and the console readable lines', () => {
    const out = run('{}', undefined);
    expect(out.status).toBe(0);
    expect(out.fileLines).toHaveLength(2);
    expect(out.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}order created orderId=o_1\n$/);
    expect(out.stderr).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ERROR payment failed code=DECLINED\n$/);
  });

  it('NODE_ENV=development with file: false: console only', () => {
    const out = run('{ file: false }', 'development');
    expect(out.fileLines).toHaveLength(0);
    expect(out.stdout).toContain('INFO  order created');
  });

  it('on a terminal, even with NODE_ENV=production: readable, coloured lines', () => {
    const out = run('{}', 'production', true);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('\u001b[32mINFO \u001b[0m order created');
    expect(out.fileLines).toHaveLength(2);
  });

  it('in production: the file only, nothing on the console', () => {
    const out = run('{}', 'production');
    expect(out.fileLines).toHaveLength(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe('');
  });

  it('in production with file: false and no endpoint: JSON lines on the console instead of nothing', () => {
    const out = run('{ file: false }', 'production');
    expect(out.fileLines).toHaveLength(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ level: 'info', msg: 'order created', orderId: 'o_1' });
    expect(JSON.parse(out.stderr)).toMatchObject({ level: 'error', msg: 'payment failed' });
  });

  it('console: false turns the development console off', () => {
    const out = run('{ console: false }', undefined);
    expect(out.fileLines).toHaveLength(2);
    expect(out.stdout).toBe('');
  });

  it('a logger with no sink at all says so once, on stderr', () => {
    const out = run('{ file: false, console: false }', 'production');
    expect(out.stdout).toBe('');
    const warnings = out.stderr.trim().split('\n');
    expect(warnings).toEqual(['shiplog: this logger has no sinks, so every event it gets is discarded (pass `sinks`, or leave the defaults on)']);
    expect(run('{ sinks: [] }', undefined).stderr).toContain('has no sinks');
  });
});
