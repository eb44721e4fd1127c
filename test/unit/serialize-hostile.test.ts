// Issue 12: bounded cost and bounded lines for any input. Each case failed before the fix
// (walked a Buffer index by index, wrote a 5 MB key, converted a million-bit BigInt, copied a
// huge error text, recursed in a getter that logs its own object).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, Serializer } from '../../src/index.js';
import { utf8Length } from '../../src/serialize-line.js';
import { memorySink } from '../../src/testing.js';

function setup(limits?: Record<string, number>) {
  const mem = memorySink();
  const log = createLogger({ sinks: [mem], vars: {}, ...(limits ? { limits } : {}) });
  // flushSync hands what is buffered to the memory sink at once (it writes synchronously).
  const records = () => (log.flushSync(), mem.records());
  const lines = () => (log.flushSync(), mem.events.map((e) => e.line));
  return { log, records, lines, last: () => records().at(-1) as Record<string, unknown> };
}

describe('binary data is summarized, never walked', () => {
  it('a typed array, Buffer, DataView or ArrayBuffer as the fields argument goes under `data` as a summary', () => {
    const { log, records, lines } = setup();
    log.info('m', new Uint8Array(16) as never);
    log.info('m', Buffer.alloc(10) as never);
    log.info(new Float64Array(4) as never, 'm');
    log.info('m', new DataView(new ArrayBuffer(8)) as never);
    log.info('m', new ArrayBuffer(3) as never);
    expect(records().map((r) => r.data)).toEqual([
      '[Uint8Array(16)]',
      '[Uint8Array(10)]',
      '[Float64Array(32)]',
      '[DataView(8)]',
      '[ArrayBuffer(3)]',
    ]);
    expect(lines().every((line) => !line.includes('"0"'))).toBe(true);
  });

  it('child(bytes) binds a summary; bytes with bindings are not merged key by key', () => {
    const { log, last } = setup();
    const child = log.child(new Uint8Array(1 << 20) as never);
    child.info('m');
    expect(last().data).toBe('[Uint8Array(1048576)]');
    log.child({ a: 1 }).info('m', new Uint16Array(2) as never);
    expect(last()).toMatchObject({ a: 1, data: '[Uint16Array(4)]' });
    expect(Object.keys(last())).not.toContain('0');
  });

  it("a nested Buffer is summarized and its toJSON is never called", () => {
    const buf = Buffer.from('secret bytes');
    let calls = 0;
    buf.toJSON = () => {
      calls++;
      return { type: 'Buffer', data: [] };
    };
    expect(JSON.parse(new Serializer().stringify({ buf, list: [new Int32Array(2)] }))).toEqual({
      buf: '[Uint8Array(12)]',
      list: ['[Int32Array(8)]'],
    });
    expect(calls).toBe(0);
  });
});

describe('limits that could be bypassed', () => {
  it('key names are bounded (a 5 MB key does not make a 5 MB line)', () => {
    const { log, lines, last } = setup();
    log.info('m', { ['k'.repeat(5_000_000)]: 1 });
    expect(lines()[0]!.length).toBeLessThan(1000);
    expect(Object.keys(last()).some((k) => k.startsWith('kkk') && k.includes('[truncated 4999744 chars]'))).toBe(true);
  });

  it('a huge BigInt is summarized from its size, not converted', () => {
    const { log, lines, last } = setup();
    log.info('m', { big: 2n ** 1_000_000n, neg: -(10n ** 2000n), small: 10n ** 20n });
    expect(lines()[0]!.length).toBeLessThan(500);
    expect(last()).toMatchObject({ big: expect.stringMatching(/^\[BigInt ~3010\d\d digits\]$/), neg: expect.stringMatching(/^\[BigInt ~200\d digits\]$/), small: '100000000000000000000' });
  });

  it('the text of an error thrown by a getter is bounded', () => {
    const { log, lines } = setup({ maxStringLength: 100 });
    const hostile = {
      get boom(): never {
        throw new Error('x'.repeat(5_000_000));
      },
    };
    log.info('m', { hostile, list: [hostile] });
    const err = Object.defineProperty(new Error('e'), 'message', {
      get: () => {
        throw new RangeError('y'.repeat(1_000_000));
      },
    });
    log.error('m', { err });
    expect(lines()).toHaveLength(2);
    for (const line of lines()) expect(line.length).toBeLessThan(1000);
  });

  it('a getter that logs its own object does not recurse', () => {
    const { log, records } = setup();
    let getterCalls = 0;
    const obj = {
      get value(): number {
        getterCalls++;
        log.info('from getter', obj);
        return 1;
      },
    };
    log.info('outer', obj);
    expect(getterCalls).toBeLessThanOrEqual(2);
    const msgs = records().map((r) => r.msg);
    expect(msgs).toContain('outer');
    expect(msgs.length).toBeLessThanOrEqual(3);
    expect(log.stats().internalErrors).toBe(0);
  });

  it('shared sub-arrays (no cycle) cannot blow up the work: every node counts towards the budget', () => {
    let reads = 0;
    let level: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      const items = Array.from({ length: 100 }, () => level);
      level = new Proxy(items, {
        get(target, key, receiver) {
          reads++;
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
    }
    const text = new Serializer().stringify({ level });
    expect(() => JSON.parse(text)).not.toThrow();
    expect(reads).toBeLessThan(200_000);
  });
});

describe('line size', () => {
  const hostileValue = fc.oneof(
    fc.anything({ withBigInt: true, withTypedArray: true, withMap: true, withSet: true, maxDepth: 3 }),
    fc.string({ unit: 'binary', maxLength: 3000 }),
    fc.integer({ min: 1, max: 20_000 }).map((n) => '\u2028"é😀\u0000'.repeat(n)),
    fc.integer({ min: 1, max: 5000 }).map((n) => ({ ['ключ'.repeat(n)]: 'v' })),
    fc.integer({ min: 0, max: 3000 }).map((n) => 2n ** BigInt(n * 10)),
    fc.integer({ min: 1, max: 300 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'x'.repeat(i * 7)]))),
  );

  it('no line exceeds maxEventBytes (UTF-8), whatever the message, bindings and fields', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 256, max: 8192 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.string({ unit: 'grapheme', maxLength: 3000 }),
        hostileValue,
        hostileValue,
        (maxEventBytes, maxStringLength, msg, bound, fields) => {
          const mem = memorySink();
          const log = createLogger({ sinks: [mem], vars: {}, service: 'svc', limits: { maxEventBytes, maxStringLength } });
          log.child({ bound }).info(msg, { fields, after: 'x' });
          log.flushSync();
          const line = mem.events[0]!.line;
          expect(utf8Length(line)).toBeLessThanOrEqual(maxEventBytes);
          expect(utf8Length(line)).toBe(new TextEncoder().encode(line).length);
          const record = JSON.parse(line) as Record<string, unknown>;
          expect(record.level).toBe('info');
          expect(typeof record.time).toBe('string');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('when a line is cut, the envelope and the call fields stay; the earliest bound fields go first', () => {
    const mem = memorySink();
    const log = createLogger({ sinks: [mem], vars: {}, limits: { maxEventBytes: 2000, maxStringLength: 1500 } });
    log.child({ early: 'e'.repeat(1400), late: 'l'.repeat(300) }).info('m'.repeat(1000), { mine: 1 });
    log.flushSync();
    const record = mem.records()[0]!;
    expect(utf8Length(mem.events[0]!.line)).toBeLessThanOrEqual(2000);
    expect(record).toMatchObject({ level: 'info', mine: 1, late: 'l'.repeat(300) });
    expect(record.early).toBeUndefined();
    expect(String(record.msg).startsWith('mmm')).toBe(true);
  });

  it("when a line is cut, the ingest's provenance fields outlast a long message (found by the ingest property test)", () => {
    const mem = memorySink();
    const log = createLogger({ sinks: [mem], vars: {}, limits: { maxEventBytes: 1024, maxStringLength: 600 } });
    const provenance = { userAgent: 'U'.repeat(500), clientIp: '9'.repeat(100), receivedAt: new Date(0).toISOString(), source: 'browser' };
    log.child({ client: 'c'.repeat(200) }).info('x'.repeat(600), provenance);
    log.flushSync();
    const record = mem.records()[0]!;
    expect(utf8Length(mem.events[0]!.line)).toBeLessThanOrEqual(1024);
    expect(record).toMatchObject(provenance);
    expect(String(record.msg).startsWith('xxx')).toBe(true);
    expect(record.client).toBeUndefined();
  });
});
