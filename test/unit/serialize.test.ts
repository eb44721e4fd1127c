import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Serializer } from '../../src/index.js';

const s = new Serializer();
const parse = (value: unknown, serializer = s): unknown => JSON.parse(serializer.stringify(value));

describe('values JSON cannot hold', () => {
  it('circular references become "[Circular]"; shared (non-circular) references are written twice', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    const shared = { x: 1 };
    expect(parse({ a, list: [shared, shared] })).toEqual({ a: { name: 'a', self: '[Circular]' }, list: [{ x: 1 }, { x: 1 }] });
  });

  it('BigInt, NaN, Infinity, -0, undefined, functions and symbols', () => {
    expect(parse({ big: 2n ** 70n, nan: NaN, inf: -Infinity, zero: -0, u: undefined, f() {}, s: Symbol('x'), arr: [undefined, () => 1] })).toEqual({
      big: '1180591620717411303424',
      nan: 'NaN',
      inf: '-Infinity',
      zero: 0,
      arr: [null, null],
    });
  });

  it('Errors with cause chain, AggregateError members, own fields and a code', () => {
    const inner = new TypeError('inner');
    const err = Object.assign(new Error('outer', { cause: inner }), { code: 'E_OUT', orderId: 7 });
    const agg = new AggregateError([new Error('one'), 'two'], 'many');
    const out = parse({ err, agg }) as { err: Record<string, unknown>; agg: Record<string, unknown> };
    expect(out.err).toMatchObject({ name: 'Error', message: 'outer', code: 'E_OUT', orderId: 7, cause: { name: 'TypeError', message: 'inner' } });
    expect(out.err.stack).toContain('outer');
    expect(out.agg).toMatchObject({ name: 'AggregateError', message: 'many', errors: [{ message: 'one' }, 'two'] });
  });

  it('Date, Map, Set, typed arrays, URL, RegExp', () => {
    expect(
      parse({
        d: new Date(0),
        bad: new Date(NaN),
        m: new Map<unknown, unknown>([['k', 1], [2, { v: true }]]),
        set: new Set([1, 'a']),
        bytes: new Uint8Array(16),
        buf: new ArrayBuffer(4),
        url: new URL('https://example.com/a?b=1'),
        re: /ab+c/gi,
      }),
    ).toEqual({
      d: '1970-01-01T00:00:00.000Z',
      bad: 'Invalid Date',
      m: { k: 1, '2': { v: true } },
      set: [1, 'a'],
      bytes: '[Uint8Array(16)]',
      buf: '[ArrayBuffer(4)]',
      url: 'https://example.com/a?b=1',
      re: '/ab+c/gi',
    });
  });

  it('Headers, Request and Response as summaries, never bodies, with sensitive headers redacted', () => {
    const headers = new Headers({ authorization: 'Bearer secret-token', 'x-trace': 't1' });
    const req = new Request('https://api.example.com/orders', { method: 'POST', headers, body: 'card=4242' });
    const res = new Response('secret body', { status: 201, headers: { 'set-cookie': 'sid=1' } });
    const text = s.stringify({ req, res });
    expect(text).not.toContain('secret-token');
    expect(text).not.toContain('card=4242');
    expect(text).not.toContain('secret body');
    expect(text).not.toContain('sid=1');
    expect(JSON.parse(text)).toMatchObject({
      req: { method: 'POST', url: 'https://api.example.com/orders', headers: { authorization: '[REDACTED]', 'x-trace': 't1' } },
      res: { status: 201, headers: { 'set-cookie': '[REDACTED]' } },
    });
  });

  it('URLs lose credentials: user info dropped, sensitive query and fragment parameters censored', () => {
    const url = new URL('https://user:hunter2@api.example.com/cb?access_token=SECRET1&page=2&api_key=SECRET2#id_token=SECRET3&state=xyz');
    const req = new Request('https://api.example.com/orders?token=SECRET4&q=shoes');
    const text = s.stringify({ url, req, plain: new URL('https://example.com/a?b=1#top') });
    for (const secret of ['hunter2', 'user:', 'SECRET1', 'SECRET2', 'SECRET3', 'SECRET4']) expect(text).not.toContain(secret);
    const parsed = JSON.parse(text) as { url: string; req: { url: string }; plain: string };
    const logged = new URL(parsed.url);
    expect(logged.searchParams.get('access_token')).toBe('[REDACTED]');
    expect(logged.searchParams.get('page')).toBe('2');
    expect(new URLSearchParams(logged.hash.slice(1)).get('state')).toBe('xyz');
    expect(new URL(parsed.req.url).searchParams.get('q')).toBe('shoes');
    expect(parsed.plain).toBe('https://example.com/a?b=1#top'); // nothing sensitive: written as it was
  });

  it('getters and toJSON that throw, and hostile Proxies', () => {
    const getter = {
      ok: 1,
      get bad(): never {
        throw new Error('getter exploded');
      },
    };
    const json = { toJSON: () => { throw new RangeError('no json'); } };
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('trap'); } });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const out = parse({ getter, json, proxy, revoked: revoked.proxy }) as Record<string, unknown>;
    expect(out.getter).toEqual({ ok: 1, bad: '[Throws: Error: getter exploded]' });
    expect(out.json).toBe('[Unserializable: RangeError: no json]');
    expect(String(out.proxy)).toMatch(/Unserializable/);
    expect(String(out.revoked)).toMatch(/Unserializable/);
  });

  it('calls toJSON (Date-like objects, class instances) and writes plain class instances as objects', () => {
    class Money {
      constructor(readonly amount: number, readonly currency: string) {}
      toJSON() {
        return `${this.amount} ${this.currency}`;
      }
    }
    class Point {
      constructor(readonly x: number, readonly y: number) {}
    }
    expect(parse({ price: new Money(5, 'EUR'), p: new Point(1, 2) })).toEqual({ price: '5 EUR', p: { x: 1, y: 2 } });
  });
});

describe('bounds', () => {
  it('truncates long strings with a marker', () => {
    const small = new Serializer({ maxStringLength: 10 });
    expect(parse('a'.repeat(25), small)).toBe('aaaaaaaaaa…[truncated 15 chars]');
  });

  it('limits depth', () => {
    const small = new Serializer({ maxDepth: 2 });
    expect(parse({ a: { b: { c: { d: 1 } }, l: [[1]] } }, small)).toEqual({ a: { b: '[Object]', l: '[Array]' } });
  });

  it('limits keys per object and items per array', () => {
    const small = new Serializer({ maxKeys: 3, maxItems: 3 });
    const out = parse({ o: { a: 1, b: 2, c: 3, d: 4 }, l: [1, 2, 3, 4, 5], set: new Set([1, 2, 3, 4]) }, small) as Record<string, unknown>;
    expect(out.o).toEqual({ a: 1, b: 2, c: 3, '…': '[truncated keys]' });
    expect(out.l).toEqual([1, 2, 3, '[… 2 more items]']);
    expect(out.set).toEqual([1, 2, 3, '[… 1 more items]']);
  });

  it('keeps one event within its byte budget even with huge input', () => {
    const small = new Serializer({ maxEventBytes: 5000 });
    const huge = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'x'.repeat(1000)]));
    const text = small.fields(huge);
    expect(text.length).toBeLessThan(5000 + 12_000);
    expect(() => JSON.parse(`{${text.slice(1)}}`)).not.toThrow();
  });
});

describe('redaction', () => {
  it('redacts default sensitive keys case-insensitively, whatever their value type', () => {
    const out = parse({
      Authorization: 'Bearer x',
      COOKIE: 'a=b',
      password: { nested: true },
      api_key: 1,
      'X-Api-Key': 'k',
      accessToken: 'a',
      refresh_token: 'r',
      client_secret: 's',
      nested: { deeper: [{ token: 't' }] },
      itemCount: 3,
    });
    expect(out).toEqual({
      Authorization: '[REDACTED]',
      COOKIE: '[REDACTED]',
      password: '[REDACTED]',
      api_key: '[REDACTED]',
      'X-Api-Key': '[REDACTED]',
      accessToken: '[REDACTED]',
      refresh_token: '[REDACTED]',
      client_secret: '[REDACTED]',
      nested: { deeper: [{ token: '[REDACTED]' }] },
      itemCount: 3,
    });
  });

  it('redacts configured paths with * wildcards, and extra keys', () => {
    const custom = new Serializer({ redact: { paths: ['user.ssn', '*.card', 'items.*.pan', 'headers.*'], keys: ['Session-Key'], censor: '***' } });
    expect(
      parse({ user: { ssn: '1', name: 'n' }, pay: { card: '4242' }, items: [{ pan: 'p', q: 1 }], headers: { a: 1, b: 2 }, session_key: 'x' }, custom),
    ).toEqual({ user: { ssn: '***', name: 'n' }, pay: { card: '***' }, items: [{ pan: '***', q: 1 }], headers: { a: '***', b: '***' }, session_key: '***' });
  });

  it('can disable the default keys', () => {
    expect(parse({ token: 't' }, new Serializer({ redact: { defaultKeys: false } }))).toEqual({ token: 't' });
  });
});

describe('properties', () => {
  const secret = 'S3CR3T-VALUE';
  it('never throws, always produces valid JSON, and redacted values never appear', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true, withBoxedValues: true }), (value) => {
        const payload = { data: value, password: secret, nested: { apiKey: secret, list: [{ authorization: secret }] } };
        const text = s.fields(payload);
        const parsed = JSON.parse(`{${text.slice(1)}}`) as Record<string, unknown>;
        expect(parsed.password).toBe('[REDACTED]');
        expect(text).not.toContain(secret);
      }),
      { numRuns: 500 },
    );
  });

  it('the same for hostile objects: cycles and throwing accessors at random places', () => {
    fc.assert(
      fc.property(fc.object({ maxDepth: 4 }), fc.boolean(), (obj, throwing) => {
        const root = obj as Record<string, unknown>;
        root.loop = root;
        if (throwing) {
          Object.defineProperty(root, 'boom', { enumerable: true, get: () => { throw new Error('x'); } });
        }
        expect(() => JSON.parse(s.stringify(root))).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
