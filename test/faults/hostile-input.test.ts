import { expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { memorySink } from '../../src/testing.js';

function setup() {
  const mem = memorySink();
  const log = createLogger({ sinks: [mem], vars: {} });
  const lines = async () => {
    await log.flush();
    return mem.events.map((e) => e.line);
  };
  return { log, lines };
}

it('a 50 MB string becomes a bounded line', async () => {
  const { log, lines } = setup();
  log.info('big', { blob: 'x'.repeat(50 * 1024 * 1024), after: 'kept' });
  const [line] = await lines();
  expect(line?.length).toBeLessThan(20_000);
  expect(JSON.parse(line as string)).toMatchObject({ after: 'kept', blob: expect.stringMatching(/truncated 52418800 chars\]$/) });
});

it('100k-level nesting and 1M-item arrays are bounded, not a stack overflow', async () => {
  const { log, lines } = setup();
  let deep: Record<string, unknown> = {};
  const root = deep;
  for (let i = 0; i < 100_000; i++) deep = deep.next = {};
  const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
  log.info('shapes', { root, big: new Array(1_000_000).fill(1), wide });
  const [line] = await lines();
  expect(line?.length).toBeLessThan(70_000);
  expect(() => JSON.parse(line as string)).not.toThrow();
});

it('a getter that logs itself forever ends in a bounded, valid line', async () => {
  const { log, lines } = setup();
  const loop = {
    get again(): string {
      log.info('re-entered', { loop });
      return 'x';
    },
  };
  log.info('start', { loop });
  const out = await lines();
  expect(out.length).toBeGreaterThan(0);
  for (const line of out) expect(() => JSON.parse(line)).not.toThrow();
  expect(out.some((l) => l.includes('"msg":"start"'))).toBe(true);
});

it('toJSON returning itself, symbol keys, sparse arrays, frozen and null-prototype objects', async () => {
  const { log, lines } = setup();
  const selfish: Record<string, unknown> = { toJSON: () => selfish };
  const nullProto = Object.assign(Object.create(null) as object, { a: 1 });
  log.info('odd', { selfish, [Symbol('s')]: 1, sparse: [1, , 3], frozen: Object.freeze({ f: 1 }), nullProto });
  const [line] = await lines();
  expect(JSON.parse(line as string)).toMatchObject({ sparse: [1, null, 3], frozen: { f: 1 }, nullProto: { a: 1 } });
});

it('lone surrogates and control characters still give valid JSON', async () => {
  const { log, lines } = setup();
  log.info('\ud800 broken \u0000 \u2028', { s: 'a\udc00b', key: '\u001b[31mred' });
  const [line] = await lines();
  expect(JSON.parse(line as string).msg).toContain('broken');
});

/** Errors a sink may throw or reject with, none of which is a well-behaved Error. */
const hostileErrors: [string, () => unknown][] = [
  ['a Proxy that throws on every trap', () => new Proxy({}, { get() { throw new Error('trap'); }, has() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); } })],
  ['an object whose name getter throws', () => ({ get name(): string { throw new Error('getter'); } })],
  ['a SinkError look-alike with a NaN Retry-After', () => ({ name: 'SinkError', retryable: true, retryAfterMs: Number.NaN })],
  ['a SinkError look-alike with an infinite Retry-After', () => ({ name: 'SinkError', retryable: true, retryAfterMs: Number.POSITIVE_INFINITY })],
  ['null', () => null],
];

it.each(hostileErrors)('a sink failing with %s: counted and retried, no crash, flush settles', async (_, makeError) => {
  const good = memorySink();
  let attempts = 0;
  const failing = {
    name: 'hostile',
    write(): Promise<void> {
      attempts++;
      return Promise.reject(makeError());
    },
  };
  const log = createLogger({ vars: {}, sinks: [failing, good], retry: { maxAttempts: 2, initialDelayMs: 1, jitter: false } });
  log.info('one');
  const result = await log.flush({ timeoutMs: 5000 });
  expect(result).toMatchObject({ timedOut: false, delivered: 1, dropped: 1, pending: 0 });
  expect(attempts).toBe(2);
  expect(good.records().map((r) => r.msg)).toEqual(['one']);
  const stats = log.stats().sinks.hostile;
  expect(stats).toMatchObject({ accepted: 1, delivered: 0, dropped: 1, pending: 0, failures: 2 });
});

it.each(hostileErrors)('a synchronous sink throwing %s on a full buffer: push never throws, other sinks still get the event', async (_, makeError) => {
  const good = memorySink();
  const failing = {
    name: 'hostile',
    write(): void {},
    writeSync(): void {
      throw makeError();
    },
  };
  const log = createLogger({ vars: {}, sinks: [failing, good], maxBufferSize: 2, batch: { size: 2, intervalMs: 0 } });
  for (let i = 0; i < 5; i++) log.info(`event ${i}`);
  await log.flush({ timeoutMs: 5000 });
  expect(good.records()).toHaveLength(5);
  const stats = log.stats().sinks.hostile;
  expect(stats?.accepted).toBe((stats?.delivered ?? 0) + (stats?.dropped ?? 0) + (stats?.pending ?? 0));
  expect(stats?.dropped).toBeGreaterThan(0);
});
