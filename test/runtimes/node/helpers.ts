import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach } from 'vitest';

const dirs: string[] = [];

/** A fresh temp directory, removed after the test. */
export function tempDir(prefix = 'shiplog-node-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The lines of a file (decompressed if .gz), without the trailing empty string. */
export function fileLines(path: string): string[] {
  const raw = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Parsed JSON lines of a file. */
export function fileRecords(path: string): Record<string, unknown>[] {
  return fileLines(path).map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Entries of a directory, sorted; [] when it does not exist. */
export function ls(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Polls `check` until it returns true or `timeoutMs` passes (for other processes only). */
export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The `msg` of each JSON line a CLI printed. */
export const msgs = (stdout: string): unknown[] =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { msg: unknown }).msg);

/**
 * A real, tiny filesystem (tmpfs of `size`, e.g. '64k') that fills up; `grow()` remounts it at
 * `grownSize`. Undefined without root and mount permission.
 */
export function tinyFilesystem(size = '64k', grownSize = '4m'): { path: string; grow(): void; remove(): void } | undefined {
  const path = join(tempDir(), 'tiny');
  mkdirSync(path);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return {
    path,
    grow: () => execFileSync('mount', ['-o', `remount,size=${grownSize}`, path]),
    remove: () => {
      execFileSync('umount', ['--lazy', path]); // lazy: still detaches if a failed test left a file open
      rmdirSync(path);
    },
  };
}
