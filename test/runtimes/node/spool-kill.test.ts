import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
// @ts-expect-error plain ESM fixture without types
import { startReceiver } from '../../../fixtures/node/spool-receiver.mjs';
import { createLogger, httpSink, spoolDirStatus, spoolOf } from '../../../runtimes/node/index.js';
import { tempDir, waitFor } from './helpers.js';

const CHILD = new URL('../../../fixtures/node/spool-writer.mjs', import.meta.url).pathname;
const KILLS = 50;

const check = (n: string): number => [...n].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);

interface Receiver {
  mode: 'up' | 'down';
  delayMs: number;
  url: string;
  raw: { n: string; sum: number }[];
  stored: Map<string, { n: string; sum: number }>;
  close(): Promise<void>;
  tally(expected: Iterable<unknown>, field?: string): { missing: number; duplicated: number; stored: number; raw: number };
}

/** Runs the writer; SIGKILLs it at a random moment after its `durableReports`-th report. Resolves with the last durable count. */
function runAndKill(dir: string, url: string, run: number, durableReports: number, maxDelayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, url, String(run)], {
      env: { ...process.env, SHIPLOG_ENTRY: inject('nodeEntry') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let durable = 0;
    let reports = 0;
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() as string;
      for (const line of lines) {
        const [word, count] = line.split(' ');
        if (word === 'durable') {
          durable = Math.max(durable, Number(count));
          if (++reports === durableReports) setTimeout(() => child.kill('SIGKILL'), Math.random() * maxDelayMs);
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(durable) : reject(new Error(`writer ended with ${code} ${signal}`))));
  });
}

function finish(dir: string, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, url, 'final', 'finish'], {
      env: { ...process.env, SHIPLOG_ENTRY: inject('nodeEntry') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`finisher exited ${code}: ${out}`))));
  });
}

describe('spool at process.exit (a real child process)', () => {
  it('the batch in flight and the buffered events go to the spool at exit; the next start delivers each once', async () => {
    const ingest = (await startReceiver()) as Receiver;
    const dir = tempDir();
    try {
      (ingest as { mode: string }).mode = 'hang';
      const child = spawnSync(process.execPath, [new URL('../../../fixtures/node/spool-exit.mjs', import.meta.url).pathname, dir, ingest.url], {
        env: { ...process.env, SHIPLOG_ENTRY: inject('nodeEntry') },
        encoding: 'utf8',
      });
      expect(child.status).toBe(0);
      expect(child.stdout).toMatch(/pending 25/);
      expect(spoolDirStatus(join(dir, 'http'))).toMatchObject({ pendingEvents: 25 });
      ingest.mode = 'up';
      const log = createLogger({ exit: false, file: false, sinks: [httpSink({ url: ingest.url })], spool: { dir } });
      expect(await spoolOf(log)?.drain({ timeoutMs: 20_000 })).toBe(true);
      await log.shutdown();
      expect(ingest.tally(Array.from({ length: 25 }, (_, n) => n))).toMatchObject({ missing: 0, duplicated: 0, stored: 25 });
    } finally {
      await ingest.close();
    }
  });
});

describe('two processes on one spool directory', () => {
  it('a second process started while the first replays is locked out: no spooled event is sent twice', async () => {
    const ingest = (await startReceiver()) as Receiver;
    const dir = tempDir();
    try {
      ingest.mode = 'down';
      await runAndKill(dir, ingest.url, 0, 3, 0); // a backlog on disk, its writer killed
      // The first finisher takes the lock and starts replaying; its request is held at the receiver.
      const arrived = (): number => (ingest as unknown as { arrived: number }).arrived;
      const before = arrived();
      (ingest as { mode: string }).mode = 'hold';
      const first = finish(dir, ingest.url);
      await waitFor(() => arrived() > before, 20_000, 'the first replayed request');
      // The second, started while the first owns the directory, must not replay anything.
      const second = await finish(dir, ingest.url);
      expect(second).toMatch(/"state":"locked"/);
      (ingest as unknown as { release(): void }).release();
      expect(await first).toMatch(/^drained true .*"state":"up"/);
      expect(ingest.raw.length).toBeGreaterThan(0);
      expect(ingest.raw.length).toBe(ingest.stored.size); // nothing sent twice
      expect(spoolDirStatus(join(dir, 'http'))).toMatchObject({ pendingEvents: 0 });
    } finally {
      await ingest.close();
    }
  });
});

describe('spool under SIGKILL (real processes, real files, a node:http receiver)', () => {
  it(`a writer killed ${KILLS} times while spooling (ingest down) and replaying (ingest up): every durable event arrives exactly once, nothing garbled, nothing left`, async () => {
    const ingest = (await startReceiver()) as Receiver;
    const dir = tempDir();
    const expected: string[] = [];
    try {
      for (let run = 0; run < KILLS; run++) {
        ingest.mode = run < KILLS / 2 ? 'down' : 'up';
        ingest.delayMs = run < KILLS / 2 ? 0 : 3; // slow enough that each up run dies mid-replay
        // Up: live long enough (up to 150 ms) that replay is under way when the kill lands.
        const durable = await runAndKill(dir, ingest.url, run, 1 + Math.floor(Math.random() * 3), run < KILLS / 2 ? 15 : 150);
        for (let i = 0; i < durable; i++) expected.push(`${run}-${i}`);
      }
      const replayedBeforeFinish = ingest.raw.length; // replayed by killed writers, mid-replay
      ingest.mode = 'up';
      ingest.delayMs = 0;
      const out = await finish(dir, ingest.url);
      expect(out).toMatch(/^drained true/);

      const tally = ingest.tally(expected);
      // Re-sends (a kill between a send and its commit) are at most one replayed request (50 events) per kill.
      const resent = tally.raw - tally.stored;
      process.stdout.write(`spool SIGKILL x${KILLS}: ${expected.length} durable events, ${tally.stored} stored, ${resent} re-sent lines deduped, ${replayedBeforeFinish} lines arrived before the final run\n`);
      expect(replayedBeforeFinish).toBeGreaterThan(0);
      expect(tally.missing).toBe(0);
      expect(tally.duplicated).toBe(0);
      expect(resent).toBeLessThanOrEqual(KILLS * 50);
      // Nothing garbled: every line that arrived is an event some writer logged, intact.
      for (const event of ingest.raw) expect(event.sum).toBe(check(event.n));
      // Nothing left behind: no pending record, no segment file, no dead letter.
      const status = spoolDirStatus(join(dir, 'http'));
      expect(status).toMatchObject({ pendingBatches: 0, pendingEvents: 0, deadLetters: 0 });
      const files = readdirSync(join(dir, 'http'));
      expect(files.filter((f) => f.startsWith('seg-')).length).toBeLessThanOrEqual(1);
      expect(files.filter((f) => f.startsWith('lock'))).toEqual([]); // released; no breaker or private file of a killed writer left
      expect(expected.length).toBeGreaterThan(KILLS * 5);
    } finally {
      await ingest.close();
    }
  }, 120_000);
});
