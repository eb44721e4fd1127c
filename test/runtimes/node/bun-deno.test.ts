import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { RUNTIMES } from '../../../scripts/node-matrix.mjs';
import { tempDir } from './helpers.js';

const CHILD = new URL('../../../fixtures/node/crash-on-runtime.mjs', import.meta.url).pathname;

/** The system Node, and Bun and Deno from .cache (scripts/setup.mjs installs them). */
const runtimes = [
  { name: 'Node', bin: process.execPath, pre: [] as string[] },
  { name: 'Bun', ...RUNTIMES.bun },
  { name: 'Deno', ...RUNTIMES.deno },
];

describe.each(runtimes)('$name', ({ name, bin, pre }) => {
  it.each(['sync', 'timer', 'rejection'])('an uncaught %s crash still writes every buffered line to the file', (how) => {
    expect(existsSync(bin), `${bin}: run node scripts/setup.mjs`).toBe(true);
    const dir = tempDir();
    const run = spawnSync(bin, [...pre, CHILD, dir, how], { encoding: 'utf8', env: { ...process.env, SHIPLOG_ENTRY: inject('nodeEntry') }, timeout: 30_000 });
    expect(run.status, `${name} exit status; stderr: ${run.stderr}`).toBe(1);
    expect(run.stderr).toContain('boom');
    const lines = readFileSync(join(dir, 'log.ndjson'), 'utf8').trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
  });
});
