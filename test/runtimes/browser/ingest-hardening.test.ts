// Issue 12, ingest endpoint: each case was an attack that worked before the fix.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { createIngestHandler, type IngestOptions } from '../../../src/ingest.js';
import { memorySink } from '../../../src/testing.js';

const BODY = '[{"level":"info","msg":"m"}]';

function setup(options: Partial<IngestOptions> = {}) {
  const sink = memorySink();
  const logger = createLogger({ sinks: [sink], vars: {} });
  const ingest = createIngestHandler({ logger, ...options });
  const records = () => (logger.flushSync(), sink.records());
  return { ingest, records };
}

const post = (headers: Record<string, string> = {}, body: BodyInit = BODY, url = 'http://ingest.local/ingest'): Request =>
  new Request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, duplex: 'half' } as RequestInit);

describe('client address', () => {
  it('ignores x-forwarded-for unless proxies are trusted; then counts from the right', async () => {
    const untrusted = setup({ rateLimit: { burst: 1, perSecond: 0 } });
    expect((await untrusted.ingest(post({ 'x-forwarded-for': '1.1.1.1' }), { clientAddress: '10.0.0.9' })).status).toBe(204);
    expect(untrusted.records()[0]!.clientIp).toBe('10.0.0.9');

    const { ingest, records } = setup({ trustedProxies: 1, rateLimit: { burst: 1, perSecond: 0 } });
    // The client forges entries on the left; the proxy appends the address it saw.
    expect((await ingest(post({ 'x-forwarded-for': 'forged-1, 203.0.113.7' }))).status).toBe(204);
    expect((await ingest(post({ 'x-forwarded-for': 'forged-2, 203.0.113.7' }))).status).toBe(429);
    expect(records()[0]!.clientIp).toBe('203.0.113.7');

    const two = setup({ trustedProxies: 2 });
    await two.ingest(post({ 'x-forwarded-for': 'forged, 198.51.100.4, 10.0.0.2' }));
    expect(two.records()[0]!.clientIp).toBe('198.51.100.4');
    expect(() => createIngestHandler({ logger: createLogger({ sinks: [memorySink()] }), trustedProxies: -1 })).toThrow(/trustedProxies/);
  });

  it('rotating the first x-forwarded-for entry does not get around the limit', async () => {
    const { ingest } = setup({ clientAddressHeader: 'x-forwarded-for', rateLimit: { burst: 3, perSecond: 0 } });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await ingest(post({ 'x-forwarded-for': `10.9.${i}.1, 192.0.2.1` }))).status);
    expect(statuses.filter((s) => s === 204)).toHaveLength(3);
  });
});

describe('origin', () => {
  it('does not trust the Host header: Origin and Host both evil.example is refused (DNS rebinding)', async () => {
    const { ingest } = setup();
    const evil = await ingest(post({ origin: 'http://evil.example' }, BODY, 'http://evil.example/ingest'));
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows the configured own origins and allowedOrigins', async () => {
    const { ingest } = setup({ origins: ['https://app.example'], allowedOrigins: ['https://partner.example'] });
    expect((await ingest(post({ origin: 'https://app.example' }))).status).toBe(204);
    expect((await ingest(post({ origin: 'https://partner.example' }))).status).toBe(204);
    expect((await ingest(post({ origin: 'https://other.example' }, BODY, 'https://other.example/ingest'))).status).toBe(403);
  });
});

describe('keys', () => {
  it('an empty ?key= does not override a valid x-shiplog-key header', async () => {
    const { ingest } = setup({ publicKeys: ['pk_1'] });
    expect((await ingest(post({ 'x-shiplog-key': 'pk_1' }, BODY, 'http://ingest.local/ingest?key='))).status).toBe(204);
    expect((await ingest(post({ 'x-shiplog-key': 'bad' }, BODY, 'http://ingest.local/ingest?key='))).status).toBe(401);
    expect((await ingest(post({}, BODY, 'http://ingest.local/ingest?key=pk_1'))).status).toBe(204);
  });
});

describe('bounded work', () => {
  it('a trickling body is cut off at the read deadline with 408 and its stream cancelled', async () => {
    const { ingest } = setup({ readTimeoutMs: 50 });
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('[{"level":"info",'));
        // …and nothing more: a slowloris client keeps the connection open.
      },
      cancel() {
        cancelled = true;
      },
    });
    const response = await ingest(post({}, stream));
    expect(response.status).toBe(408);
    expect(await response.json()).toEqual({ error: 'body-timeout' });
    expect(cancelled).toBe(true);
  });

  it('limits a client by body bytes and events, not only requests', async () => {
    const { ingest } = setup({ rateLimit: { burst: 100, perSecond: 100, burstBytes: 10_000, bytesPerSecond: 1, burstEvents: 1000, eventsPerSecond: 1 } });
    const big = JSON.stringify(Array.from({ length: 40 }, () => ({ level: 'info', msg: 'x'.repeat(200) })));
    const client = { clientAddress: '198.51.100.1' };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await ingest(post({}, big), client)).status);
    expect(statuses.slice(0, 2)).toEqual([204, 204]); // ~8.5 KB each: the second goes into debt
    expect(statuses.slice(2)).toEqual([429, 429, 429]);
    expect((await ingest(post({}, big), { clientAddress: '198.51.100.2' })).status).toBe(204); // others unaffected

    const events = setup({ rateLimit: { burstEvents: 50, eventsPerSecond: 1 } });
    const many = JSON.stringify(Array.from({ length: 60 }, () => ({ level: 'info', msg: 'e' })));
    expect((await events.ingest(post({}, many), client)).status).toBe(204);
    expect((await events.ingest(post({}, BODY), client)).status).toBe(429);
  });

  it('a large batch yields to the event loop, so other requests are answered in between', async () => {
    const { ingest } = setup({ rateLimit: false });
    const batch = JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ level: 'info', msg: `big ${i}` })));
    const order: string[] = [];
    const bigDone = ingest(post({}, batch)).then(() => order.push('big'));
    const smallDone = ingest(post()).then(() => order.push('small'));
    await Promise.all([bigDone, smallDone]);
    expect(order).toEqual(['small', 'big']);
  });
});
