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
