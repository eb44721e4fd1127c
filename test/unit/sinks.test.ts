import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSink, createLogger, httpSink, prettyFormat } from '../../src/index.js';

interface Received {
  path: string;
  at: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real ingest server; each test scripts the responses per path. */
let server: Server;
let base = '';
const received: Received[] = [];
const scripts = new Map<string, ((res: ServerResponse) => void)[]>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
      received.push({ path: req.url ?? '', at: Date.now(), headers: req.headers, body });
      const next = scripts.get(req.url ?? '')?.shift();
      if (next) next(res);
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const at = (path: string) => received.filter((r) => r.path === path);

describe('httpSink against a real server', () => {
  it('POSTs a JSON array with custom headers; the events arrive as sent', async () => {
    const log = createLogger({ vars: {}, sinks: [httpSink({ url: `${base}/json`, headers: { authorization: 'Bearer k' } })] });
    log.info('one', { n: 1 });
    log.warn('two', { n: 2 });
    expect(await log.flush()).toMatchObject({ ok: true, delivered: 2 });
    const [req] = at('/json');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers.authorization).toBe('Bearer k');
    expect((JSON.parse(req?.body ?? '') as { msg: string }[]).map((e) => e.msg)).toEqual(['one', 'two']);
  });

  it('NDJSON format and gzip through CompressionStream', async () => {
    const log = createLogger({ vars: {}, sinks: [httpSink({ url: `${base}/ndjson`, format: 'ndjson', gzip: true })] });
    log.info('a');
    log.info('b');
    await log.flush();
    const [req] = at('/ndjson');
    expect(req?.headers['content-encoding']).toBe('gzip');
    expect(req?.headers['content-type']).toBe('application/x-ndjson');
    expect(req?.body.trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['a', 'b']);
  });

  // The backoff delay is a minute here, so a retry inside the flush window can only come from the header.
  it.each([
    ['seconds', () => '1'],
    ['an HTTP date', () => new Date(Date.now() + 2000).toUTCString()],
  ])('503 with Retry-After as %s, then 200: retried when the server asked, not by backoff', async (form, retryAfter) => {
    const path = `/flaky-${form.replace(/\W/g, '')}`;
    scripts.set(path, [(res) => res.writeHead(503, { 'retry-after': retryAfter() }).end()]);
    const log = createLogger({ vars: {}, retry: { initialDelayMs: 60_000, jitter: false }, sinks: [httpSink({ url: `${base}${path}` })] });
    log.info('persist');
    expect(await log.flush({ timeoutMs: 5000 })).toMatchObject({ ok: true, delivered: 1, timedOut: false });
    const [first, second] = at(path);
    expect(at(path)).toHaveLength(2);
    // An HTTP date has one-second granularity: it asks for 1-2 s here.
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(900);
    expect(log.stats().sinks.http).toMatchObject({ retries: 1, failures: 1, delivered: 1 });
  });

  it('400 is final: dropped at once with reason rejected, no retry', async () => {
    scripts.set('/reject', [(res) => res.writeHead(400).end('{"error":"bad"}')]);
    const reasons: string[] = [];
    const log = createLogger({ vars: {}, sinks: [httpSink({ url: `${base}/reject` })], onDropped: (_, reason) => reasons.push(reason) });
    log.info('x');
    expect(await log.flush()).toMatchObject({ ok: false, dropped: 1 });
    expect(reasons).toEqual(['rejected']);
    expect(at('/reject')).toHaveLength(1);
  });

  it('a hanging endpoint is aborted at the sink timeout, retried, and finally counted', async () => {
    scripts.set('/hang', [() => {}, () => {}]);
    const log = createLogger({
      vars: {},
      retry: { maxAttempts: 2, initialDelayMs: 10, jitter: false },
      sinks: [httpSink({ url: `${base}/hang`, timeoutMs: 100 })],
    });
    log.info('x');
    const result = await log.flush({ timeoutMs: 5000 });
    expect(result).toMatchObject({ ok: false, dropped: 1, timedOut: false });
    // Timed out: the server may have stored it, so it is unconfirmed, not retries-exhausted.
    expect(log.stats().sinks.http).toMatchObject({ failures: 2, droppedByReason: { unconfirmed: 1, 'retries-exhausted': 0 } });
    expect(log.stats().sinks.http?.lastError?.message).toMatch(/TimeoutError|abort/i);
  });

  it('a refused connection is a retryable network error, and known not to have arrived', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const log = createLogger({ vars: {}, retry: { maxAttempts: 2, initialDelayMs: 1 }, sinks: [httpSink({ url: `http://127.0.0.1:${port}/none` })] });
    log.info('x');
    expect(await log.flush()).toMatchObject({ dropped: 1 });
    // Deno's fetch error has no code (only a message, which is never parsed): nothing typed says the
    // connection was never made, so the batch is counted as one that may have arrived.
    const reason = 'Deno' in globalThis ? 'unconfirmed' : 'retries-exhausted';
    expect(log.stats().sinks.http).toMatchObject({ failures: 2, droppedByReason: { [reason]: 1 } });
  });
});

describe('consoleSink', () => {
  it('writes one JSON line per event through the method of its level', async () => {
    const calls: [string, string][] = [];
    const fake = {
      debug: (l: string) => calls.push(['debug', l]),
      info: (l: string) => calls.push(['info', l]),
      warn: (l: string) => calls.push(['warn', l]),
      error: (l: string) => calls.push(['error', l]),
    };
    const log = createLogger({ vars: {}, level: 'trace', sinks: [consoleSink({ console: fake })] });
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) log[level](level);
    await log.flush();
    expect(calls.map(([m, l]) => [m, (JSON.parse(l) as { msg: string }).msg])).toEqual([
      ['debug', 'trace'], ['debug', 'debug'], ['info', 'info'], ['warn', 'warn'], ['error', 'error'], ['error', 'fatal'],
    ]);
  });

  it('pretty format for development', async () => {
    const lines: string[] = [];
    const sink = consoleSink({ format: prettyFormat(), console: { debug: () => {}, info: (l: string) => lines.push(l), warn: () => {}, error: () => {} } });
    const log = createLogger({ vars: {}, sinks: [sink] });
    log.info('order created', { orderId: 7, note: 'two words' });
    await log.flush();
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  order created orderId=7 note="two words"$/);
  });
});
