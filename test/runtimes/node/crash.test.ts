import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, inject, it } from 'vitest';
import { createLogger, fileSink } from '../../../runtimes/node/index.js';
import { parseArchiveName } from '../../../runtimes/node/rotation.js';
import { tempDir } from './helpers.js';

const CHILD = new URL('../../../fixtures/node/crash-child.mjs', import.meta.url).pathname;
/** Events the pipeline may hold unwritten: the ring buffer (max(maxBufferSize, batch.size) = 1000). */
const UNFLUSHED_BOUND = 1000;
const KILLS_PER_DIR = 26;
const DIRS = 2;

/** Starts the crash child, SIGKILLs it at a random moment after it got going; resolves with the last count it reported. */
function runAndKill(dir: string, run: number, graceful = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(run)], {
      env: { ...process.env, SHIPLOG_ENTRY: inject('nodeEntry') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let reported = 0;
    let buffered = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() as string;
      for (const line of lines) reported = Math.max(reported, Number(line));
      if (timer === undefined) {
        timer = setTimeout(() => child.kill(graceful ? 'SIGTERM' : 'SIGKILL'), 5 + Math.random() * 100);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== (graceful ? 'SIGTERM' : 'SIGKILL')) reject(new Error(`child ended with ${code} ${signal}`));
      else resolve(reported);
    });
  });
}

interface Found {
  seqs: Map<number, number[]>;
  torn: number;
  gzArchives: number;
  plainArchives: number;
  tmpFiles: number;
}

/** Reads every file of the logs directory: archives must be valid gzip; lines either parse or are torn. */
function readAll(dir: string): Found {
  const seqs = new Map<number, number[]>();
  let torn = 0;
  let gzArchives = 0;
  let plainArchives = 0;
  const archiveDir = join(dir, 'archive');
  const files: string[] = [join(dir, 'log.ndjson')];
  const names = readdirSync(archiveDir);
  for (const name of names) {
    const archive = parseArchiveName(archiveDir, name);
    if (archive === undefined) continue; // a .gz.tmp cut short by a kill: not an archive (yet)
    if (archive.stream !== 'log') continue;
    if (!archive.gzip && names.includes(`${name}.gz`)) continue; // killed between rename and unlink
    if (!archive.gzip) plainArchives++;
    files.push(archive.path);
  }
  for (const name of names.filter((n) => n.endsWith('.gz'))) {
    gunzipSync(readFileSync(join(archiveDir, name))); // throws on an invalid gzip
    gzArchives++;
  }
  for (const file of files) {
    const raw = readFileSync(file);
    const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let event: { run: string; i: number };
      try {
        event = JSON.parse(line) as { run: string; i: number };
      } catch {
        torn++;
        continue;
      }
      const run = Number(event.run);
      const list = seqs.get(run) ?? [];
      list.push(event.i);
      seqs.set(run, list);
    }
  }
  return { seqs, torn, gzArchives, plainArchives, tmpFiles: names.filter((n) => n.endsWith('.tmp')).length };
}

describe('crash safety: SIGKILL mid-write and mid-rotation', () => {
  it(`${KILLS_PER_DIR * DIRS} kills: complete lines readable, archives valid gzip, loss bounded by the unflushed tail`, async () => {
    const outcomes = await Promise.all(
      Array.from({ length: DIRS }, async () => {
        const dir = tempDir('shiplog-crash-');
        const reported: number[] = [];
        let midCompression = 0;
        for (let run = 0; run < KILLS_PER_DIR; run++) {
          reported.push(await runAndKill(dir, run));
          // Evidence of a kill mid-rotation: a compression cut short, or archives left uncompressed.
          // (An early kill can land before the first rotation has created the archive directory.)
          const archive = join(dir, 'archive');
          if (existsSync(archive) && readdirSync(archive).some((n) => n.endsWith('.tmp') || n.endsWith('.ndjson'))) midCompression++;
        }
        // Killed processes leave .gz.tmp files and uncompressed archives; the next start tidies up.
        const afterKills = readAll(dir);
        const sink = fileSink({ dir, maxSizeBytes: 65_536, maxArchives: 100_000 });
        const log = createLogger({ exit: false, sinks: [sink] });
        log.info('restarted');
        await log.shutdown();
        return { dir, reported, midCompression, afterKills, afterRestart: readAll(dir) };
      }),
    );
    for (const { reported, midCompression, afterKills, afterRestart } of outcomes) {
      expect(midCompression).toBeGreaterThan(KILLS_PER_DIR / 4);
      expect(afterKills.torn).toBeLessThanOrEqual(KILLS_PER_DIR);
      // Many rotations happened, and kills landed mid-compression.
      expect(afterKills.gzArchives + afterKills.plainArchives).toBeGreaterThan(KILLS_PER_DIR);
      // A restart tidies up: every archive compressed, no temporary file left, nothing lost.
      expect(afterRestart).toMatchObject({ plainArchives: 0, tmpFiles: 0, torn: afterKills.torn });
      expect(afterRestart.gzArchives).toBeGreaterThanOrEqual(afterKills.gzArchives + afterKills.plainArchives);
      afterRestart.seqs.delete(Number.NaN); // the 'restarted' event
      // Same events per run; file read order follows the directory listing, which compression changes.
      const sorted = (found: Found) => new Map([...found.seqs].map(([run, list]) => [run, [...list].sort((a, b) => a - b)]));
      expect(sorted(afterRestart)).toEqual(sorted(afterKills));
      reported.forEach((count, run) => {
        const seqs = (afterKills.seqs.get(run) ?? []).sort((a, b) => a - b);
        // No gaps and no duplicates: exactly events 0..n-1 of this run survived.
        seqs.forEach((seq, k) => {
          if (seq !== k) throw new Error(`run ${run}: expected event ${k}, found ${seq}`);
        });
        expect(seqs.length).toBeGreaterThanOrEqual(count - UNFLUSHED_BOUND);
      });
    }
  });
});
