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

  it('tracks a bounded number of clients, forgetting the least recently seen that is not throttled', () => {
    const buckets = new TokenBuckets({ burst: 2, perSecond: 0, maxClients: 3 });
    for (const key of ['a', 'b', 'c']) expect(buckets.take(key, NOW)).toBe(0);
    expect(buckets.take('a', NOW)).toBe(0);
    expect(buckets.take('a', NOW)).toBe(Number.POSITIVE_INFINITY); // 'a' is throttled (and the most recent)
    expect(buckets.take('d', NOW)).toBe(0); // evicts 'b', the least recently seen that is not throttled
    expect(buckets.size).toBe(3);
    expect(buckets.take('b', NOW)).toBe(0); // 'b' was forgotten: a fresh bucket (evicts 'c')
    expect(buckets.take('b', NOW)).toBe(0);
    expect(buckets.take('a', NOW)).toBe(Number.POSITIVE_INFINITY); // 'a' was kept
  });

  it('a flood of fresh clients never frees a throttled client (issue 12: 429 then 25 x 204)', () => {
    const buckets = new TokenBuckets({ burst: 1, perSecond: 1, maxClients: 100 });
    expect(buckets.take('victim', NOW)).toBe(0);
    expect(buckets.take('victim', NOW)).toBeGreaterThan(0);
    for (let i = 0; i < 10_001; i++) buckets.take(`fresh-${i}`, NOW + 10);
    for (let i = 0; i < 25; i++) expect(buckets.take('victim', NOW + 20)).toBeGreaterThan(0);
    expect(buckets.size).toBeLessThanOrEqual(100);
  });

  it('full buckets are forgotten first; when every tracked client is throttled, a new one waits', () => {
    const buckets = new TokenBuckets({ burst: 1, perSecond: 1, maxClients: 2 });
    expect(buckets.take('a', NOW)).toBe(0);
    expect(buckets.take('b', NOW)).toBe(0);
    expect(buckets.take('c', NOW)).toBeGreaterThan(0); // a and b are throttled: nothing to forget
    expect(buckets.take('c', NOW + 1000)).toBe(0); // 'a' refilled to full: forgotten without loss
    expect(buckets.take('b', NOW + 1000)).toBe(0);
  });

  it('limits body bytes and events per client besides requests', () => {
    const buckets = new TokenBuckets({ burst: 100, perSecond: 100, burstBytes: 1000, bytesPerSecond: 100, burstEvents: 10, eventsPerSecond: 1 });
    expect(buckets.take('a', NOW)).toBe(0);
    buckets.charge('a', 1500, 1); // 500 bytes of debt: 5 s at 100 bytes/s
    expect(buckets.take('a', NOW)).toBe(5000);
    expect(buckets.take('a', NOW + 5000)).toBe(0);
    buckets.charge('a', 0, 12); // events: 10 - 1 - 12 (+5 refilled) = 2 short
    expect(buckets.take('a', NOW + 5000)).toBe(2000);
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

describe('createIngestHandler rate limit', () => {
  const post = (headers: Record<string, string> = {}): Request =>
    new Request('http://ingest.local/ingest', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '[{"level":"info","msg":"m"}]' });

  it('limits each identified client, answering 429 with Retry-After', async () => {
    const { createIngestHandler } = await import('../../../src/ingest.js');
    const { createLogger } = await import('../../../src/index.js');
    const ingest = createIngestHandler({ logger: createLogger({ sinks: [{ name: 'null', write() {} }] }), rateLimit: { burst: 2, perSecond: 0.5 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await ingest(post(), { clientAddress: '198.51.100.1' })).status);
    const limited = await ingest(post(), { clientAddress: '198.51.100.1' });
    expect(statuses).toEqual([204, 204, 429]);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(await limited.json()).toEqual({ error: 'rate-limited' });
    expect((await ingest(post(), { clientAddress: '198.51.100.2' })).status).toBe(204);
    expect(ingest.stats()).toMatchObject({ trackedClients: 2, unidentifiedClients: 0, byStatus: { 204: 3, 429: 2 } });
  });

  it('does not throttle everyone through one shared bucket when the client is unknown', async () => {
    const { createIngestHandler } = await import('../../../src/ingest.js');
    const { createLogger } = await import('../../../src/index.js');
    const ingest = createIngestHandler({ logger: createLogger({ sinks: [{ name: 'null', write() {} }] }), rateLimit: { burst: 1, perSecond: 0 } });
    for (let i = 0; i < 3; i++) expect((await ingest(post({ 'x-forwarded-for': `203.0.113.${i}` }))).status).toBe(204); // untrusted header ignored
    expect(ingest.stats()).toMatchObject({ trackedClients: 0, unidentifiedClients: 3 });
  });
});

describe('createIngestHandler with hostile event fields', () => {
  const post = (body: string): Request => new Request('http://ingest.local/ingest', { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('refuses level names inherited from Object.prototype (counted, never a silent no-op or a 500 mid-batch)', async () => {
    const { createIngestHandler } = await import('../../../src/ingest.js');
    const { createLogger } = await import('../../../src/index.js');
    const { memorySink } = await import('../../../src/testing.js');
    const sink = memorySink();
    const logger = createLogger({ sinks: [sink] });
    const ingest = createIngestHandler({ logger, rateLimit: false });
    const hostile = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'].map((level) => JSON.stringify({ level, msg: level }));
    // A duplicate key: JSON.parse keeps the last one.
    hostile.push('{"level":"info","level":"constructor","msg":"dup"}');
    const response = await ingest(post(`[{"level":"info","msg":"kept"},${hostile.join(',')}]`));
    expect(response.status).toBe(204);
    expect(response.headers.get('x-shiplog-rejected')).toBe(String(hostile.length));
    expect((await ingest(post(`[${hostile.join(',')}]`))).status).toBe(400);
    await logger.flush();
    expect(sink.records().map((r) => r.msg)).toEqual(['kept']);
    expect(ingest.stats()).toMatchObject({ acceptedEvents: 1, invalidEvents: hostile.length * 2, byStatus: { 204: 1, 400: 1 } });
  });

  it('with clock limits of Infinity, a client time outside the Date range is replaced, not a 500 mid-batch', async () => {
    const { createIngestHandler } = await import('../../../src/ingest.js');
    const { createLogger } = await import('../../../src/index.js');
    const { memorySink } = await import('../../../src/testing.js');
    const sink = memorySink();
    const logger = createLogger({ sinks: [sink] });
    const ingest = createIngestHandler({ logger, rateLimit: false, clock: { maxAgeMs: Infinity, maxFutureMs: Infinity } });
    const response = await ingest(post('[{"level":"info","msg":"old","time":0},{"level":"info","msg":"far","time":1e300},{"level":"info","msg":"before","time":-1e20}]'));
    expect(response.status).toBe(204);
    await logger.flush();
    const records = sink.records();
    expect(records.map((r) => [r.msg, r.clientTime, r.timeAdjusted])).toEqual([
      ['old', '1970-01-01T00:00:00.000Z', undefined],
      ['far', expect.any(String), true],
      ['before', expect.any(String), true],
    ]);
    expect(ingest.stats()).toMatchObject({ acceptedEvents: 3, byStatus: { 204: 1 } });
  });
});
