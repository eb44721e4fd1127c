import { describe, expect, it } from 'vitest';
import { isOriginAllowed } from '../../../src/ingest/cors.js';
import { TokenBuckets } from '../../../src/ingest/rate-limit.js';
import { readBodyCapped } from '../../../src/ingest/read-body.js';
import { validateEvent } from '../../../src/ingest/validate-event.js';

const clock = { maxFutureMs: 300_000, maxAgeMs: 604_800_000 };
const NOW = Date.UTC(2026, 10, 21, 12);

describe('TokenBuckets', () => {
  it('allows a burst, then refills at the configured rate and says how long to wait', () => {
    const buckets = new TokenBuckets({ burst: 3, perSecond: 2 });
    expect([0, 1, 2].map(() => buckets.take('a', NOW))).toEqual([0, 0, 0]);
    expect(buckets.take('a', NOW)).toBe(500); // one token every 500 ms
    expect(buckets.take('b', NOW)).toBe(0); // other clients have their own bucket
    expect(buckets.take('a', NOW + 499)).toBe(1);
    expect(buckets.take('a', NOW + 500)).toBe(0);
    expect(buckets.take('a', NOW + 10_000_000)).toBe(0); // refill is capped at the burst
    expect([0, 1].map(() => buckets.take('a', NOW + 10_000_000))).toEqual([0, 0]);
    expect(buckets.take('a', NOW + 10_000_000)).toBeGreaterThan(0);
  });

  it('tracks a bounded number of clients, forgetting the least recently seen', () => {
    const buckets = new TokenBuckets({ burst: 1, perSecond: 0, maxClients: 3 });
    for (const key of ['a', 'b', 'c']) expect(buckets.take(key, NOW)).toBe(0);
    expect(buckets.take('a', NOW)).toBe(Number.POSITIVE_INFINITY); // 'a' is now the most recent
    expect(buckets.take('d', NOW)).toBe(0); // evicts 'b'
    expect(buckets.size).toBe(3);
    expect(buckets.take('b', NOW)).toBe(0); // 'b' was forgotten: a fresh bucket
    expect(buckets.take('a', NOW)).toBe(Number.POSITIVE_INFINITY); // 'a' was kept
  });
});

describe('validateEvent', () => {
  it('keeps a sane client time and replaces an insane one with server time, flagged', () => {
    const at = (time: unknown) => validateEvent({ level: 'info', time }, NOW, clock);
    expect(at(new Date(NOW - 60_000).toISOString())).toMatchObject({ time: NOW - 60_000, timeAdjusted: false });
    expect(at(NOW + 299_000)).toMatchObject({ time: NOW + 299_000, timeAdjusted: false });
    for (const bad of [NOW + 301_000, NOW - 604_800_001, 'soon', null, undefined, 'x'.repeat(100), Number.NaN]) {
      expect(at(bad)).toMatchObject({ time: NOW, timeAdjusted: true });
    }
  });

  it('refuses what cannot be logged and moves reserved names aside', () => {
    for (const bad of [null, 1, 'info', [], { level: 'loud' }, { level: 30 }, { level: 'info', msg: 1 }]) {
      expect(validateEvent(bad, NOW, clock)).toBeUndefined();
    }
    const event = validateEvent(JSON.parse('{"level":"warn","msg":"m","source":"x","clientIp":"y","a":1,"__proto__":{"p":1}}'), NOW, clock);
    expect(event?.fields).toEqual({ _source: 'x', _clientIp: 'y', a: 1, ['__proto__']: { p: 1 } });
    expect(Object.getPrototypeOf(event?.fields)).toBe(Object.prototype);
    expect(({} as { p?: number }).p).toBeUndefined();
  });
});

describe('isOriginAllowed', () => {
  it('allows no origin, the same origin, listed origins and * only', () => {
    const url = 'https://logs.example/ingest';
    expect(isOriginAllowed(null, url, [])).toBe(true);
    expect(isOriginAllowed('https://logs.example', url, [])).toBe(true);
    expect(isOriginAllowed('https://app.example', url, [])).toBe(false);
    expect(isOriginAllowed('https://app.example', url, ['https://app.example'])).toBe(true);
    expect(isOriginAllowed('https://app.example.evil', url, ['https://app.example'])).toBe(false);
    expect(isOriginAllowed('null', url, ['https://app.example'])).toBe(false);
    expect(isOriginAllowed('https://any.example', url, '*')).toBe(true);
  });
});

describe('readBodyCapped', () => {
  it('stops pulling from the stream once the cap is passed', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1000));
      },
    });
    const request = new Request('http://x/', { method: 'POST', body, duplex: 'half' } as RequestInit);
    const result = await readBodyCapped(request, 10_000);
    expect(result).toMatchObject({ ok: false, reason: 'too-large', bytes: 11_000 });
    expect(pulled).toBeLessThanOrEqual(12); // an endless body: read 11 chunks, then cancelled
  });
});

describe('createIngestHandler options', () => {
  it('throws a TypeError/RangeError naming a bad option', async () => {
    const { createIngestHandler } = await import('../../../src/ingest.js');
    const { createLogger } = await import('../../../src/index.js');
    const logger = createLogger({ sinks: [{ name: 'null', write() {} }] });
    expect(() => createIngestHandler({} as never)).toThrow(/"logger"/);
    expect(() => createIngestHandler({ logger, maxBodyBytes: -1 })).toThrow(/maxBodyBytes/);
    expect(() => createIngestHandler({ logger, maxEvents: 1.5 })).toThrow(/maxEvents/);
    expect(() => createIngestHandler({ logger, allowedOrigins: 'https://a.example' as never })).toThrow(/allowedOrigins/);
    expect(() => createIngestHandler({ logger, publicKeys: [1] as never })).toThrow(/publicKeys/);
    expect(() => createIngestHandler({ logger, rateLimit: { burst: 0 } })).toThrow(/rateLimit\.burst/);
    expect(typeof createIngestHandler({ logger, rateLimit: false }).stats).toBe('function');
  });
});
