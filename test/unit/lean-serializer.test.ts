import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Serializer, type SerializeOptions } from '../../src/index.js';
import { RESERVED_KEYS } from '../../src/internal.js';
import { leanSerializer } from '../../src/lean/serializer.js';

/**
 * The browser's lean serializer must write exactly what the core serializer writes for what a
 * page logs: same line format, same bounds and markers, same default redaction (keys and URL
 * secrets in strings). Compared value by value, and on random values.
 */
function both(options: SerializeOptions = {}) {
  return { core: new Serializer(options, RESERVED_KEYS), lean: leanSerializer(options, RESERVED_KEYS) };
}

function same(value: unknown, options: SerializeOptions = {}): string {
  const { core, lean } = both(options);
  const expected = core.fields(value);
  expect(lean.fields(value)).toBe(expected);
  return expected;
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

describe('lean serializer writes what the core serializer writes', () => {
  it.each([
    ['plain fields', { a: 1, b: 'x', c: true, d: null, e: undefined, f: [1, 'two', null, undefined], g: { h: { i: 1 } } }],
    ['numbers that JSON cannot hold', { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, neg: -0, big: 12345678901234567890n }],
    ['reserved keys', { level: 'x', time: 1, msg: 'm', eventId: 'mine', service: 's', env: 'e', version: 'v', nested: { level: 'kept' } }],
    ['default key redaction', { password: 'p', apiKey: 'k', user: { email: 'a@b.c', session: 'kept' }, headers: { authorization: 'Bearer x', cookie: 'c' }, ｐａｓｓｗｏｒｄ: 'fullwidth', pаssword: 'cyrillic a' }],
    ['URL secrets in strings', { url: 'https://user:pw@example.com/cb?code=abc&state=ok#access_token=t', plain: 'no secret here', q: 'a?token=1' }],
    ['errors with cause and own fields', { error: Object.assign(new Error('outer', { cause: new TypeError('inner') }), { code: 'E_OUT', requestId: 7 }) }],
    ['aggregate errors', { error: new AggregateError([new Error('a'), new RangeError('b')], 'many') }],
    ['dates, URLs, toJSON', { at: new Date(0), bad: new Date(Number.NaN), url: new URL('https://u:p@x.test/a?sig=s&b=1'), json: { toJSON: () => ({ k: 1, token: 't' }) }, list: { toJSON: () => [1, 2] }, text: { toJSON: () => 'x' } }],
    ['binary data and class instances', { bytes: new Uint8Array(16), buffer: new ArrayBuffer(4), view: new DataView(new ArrayBuffer(2)), point: new Point(1, 2) }],
    ['not an object: under data', 'a string'],
    ['an array: under data', [1, 2, 3]],
    ['bytes: under data', new Uint8Array(3)],
  ])('%s', (_name, value) => {
    same(value);
  });

  it('what it leaves out, as documented: Maps, Sets, web objects and RegExps by their own fields', () => {
    const lean = leanSerializer({}, RESERVED_KEYS);
    const map = Object.assign(new Map([['a', 1]]), { label: 'kept' });
    expect(lean.fields({ map, set: new Set([1]), re: /a/ })).toBe(',"map":{"label":"kept"},"set":{},"re":{}');
    // Web objects by their own fields, or their toJSON where the runtime has one (Bun's Headers): keys still redacted.
    const web = JSON.parse(`{${lean.fields({ headers: new Headers({ authorization: 'Bearer t' }), response: new Response(null) }).slice(1)}}`) as Record<string, Record<string, unknown>>;
    expect(web.response).toEqual({});
    expect(web.headers?.authorization ?? '[REDACTED]').toBe('[REDACTED]');
  });

  it('cycles, depth, key, item, string and key-length bounds', () => {
    const cyclic: Record<string, unknown> = { name: 'root' };
    cyclic.self = cyclic;
    cyclic.list = [cyclic, { back: cyclic }];
    same(cyclic);
    let deep: Record<string, unknown> = { end: true };
    for (let i = 0; i < 15; i++) deep = { deep, list: [[[deep]]] };
    same(deep);
    same(deep, { maxDepth: 3 });
    const wide = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, i]));
    same({ wide, items: Array.from({ length: 250 }, (_, i) => i) });
    same({ wide }, { maxKeys: 5, maxItems: 3 });
    same({ long: 'x'.repeat(20_000), [`k${'e'.repeat(300)}`]: 1 });
    same({ long: 'y'.repeat(500), [`k${'e'.repeat(30)}`]: 1 }, { maxStringLength: 20, maxKeyLength: 8 });
    same({ big: 10n ** 2000n, neg: -(10n ** 30n) }, { maxStringLength: 20 });
  });

  it('the event budget: members past maxEventBytes are cut and marked the same way', () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ i, text: 'z'.repeat(200) }));
    for (const maxEventBytes of [256, 1000, 5000, 20_000]) {
      same({ many, after: 'x' }, { maxEventBytes });
      same({ a: 'x'.repeat(3000), b: many, c: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v'.repeat(100)])) }, { maxEventBytes });
    }
  });

  it('getters that throw, hostile proxies and unreadable errors are contained and marked', () => {
    // Made afresh for each serializer: on Bun and Deno an error's lazily built stack reads its
    // message once, so a second reader would see another object than the first.
    const make = () => {
      const throwing = { ok: 1, get bad(): never { throw new Error('getter failed'); } };
      const proxy = new Proxy({}, { ownKeys: () => { throw new Error('ownKeys trap'); } });
      const unreadable = new Error('x');
      Object.defineProperty(unreadable, 'message', { get: () => { throw new Error('message getter'); } });
      return { throwing, proxy, unreadable };
    };
    const { core, lean } = both();
    expect(lean.fields(make())).toBe(core.fields(make()));
    same(make().proxy);
    same({ toJSONThrows: { toJSON: () => { throw new SyntaxError('no'); } } });
  });

  it('the shared marker text: thrown non-errors, unprintable throws, bounded messages and spoofed binary tags', () => {
    const thrower = (thrown: unknown) => ({ get value(): never { throw thrown; } });
    const unprintable = { toString(): never { throw new Error('no text'); } };
    const tagged = Object.defineProperty(new Uint8Array(2), Symbol.toStringTag, { value: 'T'.repeat(100) });
    const text = same({ string: thrower('plain'), number: thrower(42), unprintable: thrower(unprintable), long: thrower(new RangeError('m'.repeat(100))) }, { maxStringLength: 30 });
    // Pinned: the markers both serializers take from src/serialize-text.ts.
    expect(text).toBe(
      ',"string":{"value":"[Throws: plain]"},"number":{"value":"[Throws: 42]"},"unprintable":{"value":"[Throws: unprintable error]"},' +
        `"long":{"value":"[Throws: RangeError: ${'m'.repeat(9)}…[truncated 22 chars]"}`,
    );
    // A Symbol.toStringTag can be any string: the binary summary keeps 64 characters of it.
    expect(same({ tagged }, { maxStringLength: 100 })).toBe(`,"tagged":"[${'T'.repeat(64)}(2)]"`);
  });

  it('redaction options: paths (with *), keys, patterns, allow, censor, no defaults, no URLs', () => {
    const value = { user: { ssn: 1, name: 'n', cards: [{ pan: 1, last4: '1234' }] }, dob: 'x', payeeIban: 'y', primaryKey: 'pk', url: 'https://x.test/?code=1' };
    same(value, { redact: ['user.SSN', 'user.cards.*.last4'] });
    same(value, { redact: { keys: ['dob'], patterns: ['iban', /^payee/], allow: ['primaryKey'], censor: '***' } });
    same(value, { redact: { defaultKeys: false, urls: false } });
    same(value, { redact: { urlParams: ['state'], paths: ['*'] } });
  });

  it('string(): bounded, censored, JSON-safe', () => {
    const { core, lean } = both({ maxStringLength: 50 });
    for (const text of ['plain', 'quote " and \\ and \n', 'lone \ud800 surrogate', 'https://u:p@x.test/?token=t', 'x'.repeat(100), 'emoji 🎉 ü']) {
      expect(lean.string(text)).toBe(core.string(text));
    }
  });

  it('fit(): a line over maxEventBytes is cut the same way', () => {
    const { core, lean } = both({ maxEventBytes: 300 });
    const line = JSON.stringify({ level: 'info', time: 't', eventId: 'id', msg: 'm'.repeat(400), a: 'x'.repeat(100), b: 2 });
    expect(lean.fit(line)).toBe(core.fit(line));
    expect(lean.fit('{"level":"info"}')).toBe('{"level":"info"}');
  });

  it('random values: the same text, under random bounds', () => {
    const value = fc.letrec((tie) => ({
      any: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.string({ unit: 'binary' }),
        fc.constantFrom('https://a:b@x.test/?token=1&ok=2', 'see ?code=abc', 'x://y#access_token=z'),
        fc.double(),
        fc.integer(),
        fc.bigInt(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        fc.date({ noInvalidDate: false }),
        fc.array(tie('any'), { maxLength: 6 }),
        fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('password', 'token', 'level', 'eventId', 'api_key', 'authorization', 'cause')), tie('any'), { maxKeys: 6 }),
        tie('any').map((cause) => new Error('e', { cause })),
      ),
    })).any;
    const bounds = fc.record({
      maxDepth: fc.integer({ min: 1, max: 6 }),
      maxStringLength: fc.integer({ min: 1, max: 40 }),
      maxKeys: fc.integer({ min: 1, max: 8 }),
      maxItems: fc.integer({ min: 1, max: 8 }),
      maxEventBytes: fc.integer({ min: 256, max: 2000 }),
      maxKeyLength: fc.integer({ min: 1, max: 20 }),
    });
    fc.assert(
      fc.property(value, fc.option(bounds, { nil: undefined }), (v, options) => {
        const { core, lean } = both(options ?? {});
        expect(lean.fields(v)).toBe(core.fields(v));
        expect(lean.fields({ v })).toBe(core.fields({ v }));
      }),
      { numRuns: 400 },
    );
  });
});
