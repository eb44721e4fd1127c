import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger, httpSink } from '../../src/index.js';

/** A real server that answers 503 to the first `failFirst` requests, then 204; records key and body. */
let server: Server;
let url = '';
let failFirst = 0;
const seen: { key: string | undefined; ids: string[] }[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const key = req.headers['idempotency-key'];
      seen.push({ key: typeof key === 'string' ? key : undefined, ids: (JSON.parse(body) as { eventId?: string }[]).map((e) => e.eventId ?? '') });
      if (failFirst-- > 0) res.writeHead(503, { 'retry-after': '0' }).end();
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('Idempotency-Key', () => {
  it('every batch carries one; its retries carry the same key and the same event ids; other batches another key', async () => {
    seen.length = 0;
    failFirst = 2;
    const log = createLogger({ vars: {}, batch: { intervalMs: 0 }, retry: { maxAttempts: 5, initialDelayMs: 1 }, sinks: [httpSink({ url, batch: { size: 3 } })] });
    for (let i = 0; i < 6; i++) log.info('e', { i });
    expect(await log.flush()).toMatchObject({ ok: true, delivered: 6 });
    expect(seen).toHaveLength(4); // batch 1 three times, batch 2 once
    const [a, b, c, d] = seen;
    expect(a?.key).toMatch(/^[\w-]+\+3$/);
    expect([b?.key, c?.key]).toEqual([a?.key, a?.key]);
    expect([b?.ids, c?.ids]).toEqual([a?.ids, a?.ids]);
    expect(d?.key).not.toBe(a?.key);
    expect(a?.key).toBe(`${a?.ids[0]}+3`);
  });

  it('without event ids each batch still gets one random key, kept across its retries', async () => {
    seen.length = 0;
    failFirst = 1;
    const log = createLogger({ vars: {}, eventId: false, retry: { maxAttempts: 3, initialDelayMs: 1 }, sinks: [httpSink({ url })] });
    log.info('x');
    expect(await log.flush()).toMatchObject({ ok: true, delivered: 1 });
    expect(seen).toHaveLength(2);
    expect(seen[0]?.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[1]?.key).toBe(seen[0]?.key);
  });

  it('without event ids and without crypto.randomUUID (a plain-http page), a batch still gets a key: no throw', async () => {
    seen.length = 0;
    failFirst = 1;
    const missing = vi.spyOn(crypto, 'randomUUID').mockImplementation(() => {
      throw new TypeError('crypto.randomUUID is not a function');
    });
    try {
      const log = createLogger({ vars: {}, eventId: false, retry: { maxAttempts: 3, initialDelayMs: 1 }, sinks: [httpSink({ url })] });
      log.info('x');
      expect(await log.flush()).toMatchObject({ ok: true, delivered: 1 });
      expect(missing).toHaveBeenCalled();
    } finally {
      missing.mockRestore();
    }
    expect(seen).toHaveLength(2);
    expect(seen[0]?.key).toMatch(/^[0-9a-f]{32}$/);
    expect(seen[1]?.key).toBe(seen[0]?.key);
  });
});
