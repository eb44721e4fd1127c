/**
 * The collector on a real port: what it stores is counted by eventId (missing, duplicated), for
 * shiplog batches (JSON array and NDJSON), OTLP/HTTP JSON and the browser ingest; and a hostile
 * request set (oversized, bad JSON, deep nesting, floods, slow bodies, wrong token) gets
 * bounded answers while the server keeps serving.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../../src/index.js';
import { encodeOtlp } from '../../../src/sinks/otlp.js';
import { post, startCollector, storedIds, wideEvent, type TestCollector } from './helpers.js';

const running: TestCollector[] = [];
async function collector(options: Parameters<typeof startCollector>[0] = {}): Promise<TestCollector> {
  const started = await startCollector(options);
  running.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
});

/** A POST on a connection of its own (fetch's pool may still hold the one the server closed). */
function postOnNewConnection(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const ndjson = (events: unknown[]): string => `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;

describe('receiving', () => {
  it('stores JSON-array and NDJSON batches once per eventId, across retries and overlaps', async () => {
    const c = await collector();
    const first = await post(`${c.base}/v1/batch?runtime=node`, JSON.stringify(range(0, 100).map((n) => wideEvent(n))));
    expect(first).toEqual({ status: 200, json: { stored: 100, duplicates: 0, invalid: 0 } });
    const overlap = await post(`${c.base}/v1/batch?runtime=node`, ndjson(range(50, 150).map((n) => wideEvent(n))), 'application/x-ndjson');
    expect(overlap.json).toEqual({ stored: 50, duplicates: 50, invalid: 0 });
    const retry = await post(`${c.base}/v1/batch?runtime=node`, JSON.stringify(range(0, 100).map((n) => wideEvent(n))), 'application/json', { 'idempotency-key': 'b-1' });
    expect(retry.json).toEqual({ stored: 0, duplicates: 100, invalid: 0 });
    const ids = await storedIds(c.base, 'runtime=node');
    expect(ids.length).toBe(150);
    expect(new Set(ids)).toEqual(new Set(range(0, 150).map((n) => `e-${n}`)));
    expect(c.health.snapshot().endpoints.batch).toMatchObject({ requests: 3, stored: 150, duplicates: 150 });
  });

  it('stores events without an eventId as they come', async () => {
    const c = await collector();
    const event = { level: 'warn', msg: 'no id' };
    await post(`${c.base}/v1/batch`, JSON.stringify([event, event]));
    expect(c.store.stats().events).toBe(2);
  });

  it('maps OTLP/HTTP JSON logs back to shiplog events (otlpSink → /v1/logs → the same fields)', async () => {
    const c = await collector();
    const line = (record: Record<string, unknown>): LogEvent => ({ line: JSON.stringify(record), time: Date.now(), level: record.level } as unknown as LogEvent);
    const time = '2026-01-02T03:04:05.678Z';
    const body = encodeOtlp([
      line({ level: 'error', time, service: 'billing', env: 'dev', msg: 'charge failed', traceId: 'abc123', spanId: 'def4', eventId: 'o-1', status: 502, user: { id: 42, plan: 'pro' }, error: { name: 'TypeError', message: 'card', stack: 'at x' } }),
      line({ level: 'debug', time, service: 'billing', msg: 'retrying', eventId: 'o-2', attempt: 2, ratio: 0.5, ok: false }),
    ]);
    const answer = await post(`${c.base}/v1/logs?runtime=node`, body);
    expect(answer).toEqual({ status: 200, json: {} });
    const [debug, error] = (await (await fetch(`${c.base}/api/events?service=billing`)).json()).events;
    expect(error).toMatchObject({ level: 'error', time, service: 'billing', env: 'dev', msg: 'charge failed', traceId: 'abc123', spanId: 'def4', eventId: 'o-1', status: 502, runtime: 'node', user: { id: 42, plan: 'pro' }, error: { name: 'TypeError', message: 'card', stack: 'at x' } });
    expect(debug).toMatchObject({ level: 'debug', msg: 'retrying', eventId: 'o-2', attempt: 2, ratio: 0.5, ok: false });
    // A retried export is deduplicated like any batch.
    await post(`${c.base}/v1/logs`, body);
    expect(await storedIds(c.base, 'service=billing')).toEqual(['o-2', 'o-1']);
  });

  it('receives the browser ingest (createIngestHandler) and keeps the client eventId, time and service', async () => {
    const c = await collector();
    const clientTime = new Date(Date.now() - 1000).toISOString();
    const batch = JSON.stringify([{ level: 'info', msg: 'clicked', time: clientTime, service: 'web', eventId: 'b-1' }]);
    expect((await post(`${c.base}/ingest`, batch, 'text/plain;charset=UTF-8')).status).toBe(204);
    expect((await post(`${c.base}/ingest`, batch, 'text/plain;charset=UTF-8')).status).toBe(204); // a beacon sent twice
    const events = (await (await fetch(`${c.base}/api/events?runtime=browser`)).json()).events;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ eventId: 'b-1', service: 'web', time: clientTime, runtime: 'browser', source: 'browser', msg: 'clicked' });
    expect(c.health.snapshot().endpoints.ingest).toMatchObject({ requests: 2, stored: 1, duplicates: 1 });
  });

  it('keeps senders’ delivery reports (POST /v1/stats) for the health panel', async () => {
    const c = await collector();
    const stats = { sinks: { http: { name: 'http', accepted: 10, delivered: 7, dropped: 3, droppedByReason: { overflow: 1, unconfirmed: 2 }, retries: 4, pending: 0, lastError: 'HTTP 503' } } };
    expect((await post(`${c.base}/v1/stats`, JSON.stringify({ service: 'shop', runtime: 'workers', stats }))).status).toBe(204);
    expect((await post(`${c.base}/v1/stats`, JSON.stringify({ nope: 1 }))).status).toBe(400);
    const health = await (await fetch(`${c.base}/api/health`)).json();
    expect(health.senders).toEqual([
      expect.objectContaining({ service: 'shop', runtime: 'workers', sinks: [{ name: 'http', accepted: 10, delivered: 7, dropped: 3, droppedByReason: { overflow: 1, unconfirmed: 2 }, retries: 4, pending: 0, lastError: 'HTTP 503' }] }),
    ]);
    expect(health.endpoints.stats.refused).toEqual({ 'not-a-stats-report': 1 });
  });
});

describe('hostile requests', () => {
  it('refuses oversized bodies at the cap on every endpoint, and keeps serving', async () => {
    const c = await collector({ maxBodyBytes: 64 * 1024 });
    const big = JSON.stringify([wideEvent(1, { pad: 'x'.repeat(200_000) })]);
    for (const path of ['/v1/batch', '/v1/logs', '/ingest']) {
      const answer = await post(`${c.base}${path}`, big, path === '/ingest' ? 'text/plain' : 'application/json');
      expect([path, answer.status]).toEqual([path, 413]);
    }
    // Without a Content-Length (a stream), reading stops at the cap too.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(16 * 1024)));
        controller.close();
      },
    });
    const chunked = await fetch(`${c.base}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(chunked.headers.get('connection')).toBe('close'); // the rest of that body is never read
    expect(c.store.stats().events).toBe(0);
    expect(await postOnNewConnection(`${c.base}/v1/batch`, JSON.stringify([wideEvent(2)]))).toBe(200);
  });

  it('answers bad JSON, non-events, deep nesting and wrong types with 4xx or counts, never 5xx', async () => {
    const c = await collector();
    const depth = 100_000;
    const cases: [string, string, string][] = [
      ['/v1/batch', '{"level":', 'application/json'],
      ['/v1/batch', '[1, "x", null]', 'application/json'],
      ['/v1/batch', `${'['.repeat(depth)}${']'.repeat(depth)}`, 'application/json'],
      ['/v1/batch', `[{"level":"info","eventId":"deep","a":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}]`, 'application/json'],
      ['/v1/batch', 'not json\n{"also":\n', 'application/x-ndjson'],
      ['/v1/logs', '{"resourceLogs":"nope"}', 'application/json'],
      ['/v1/logs', `{"resourceLogs":[{"scopeLogs":[{"logRecords":[${'{"body":{"kvlistValue":{"values":[{"key":"k","value":'.repeat(200)}{}${'}]}}}'.repeat(200)}]}]}]}`, 'application/json'],
      ['/v1/logs', '\u0000\u0001', 'application/x-protobuf'],
      ['/ingest', '{"level":"info"}', 'text/plain'],
      ['/v1/stats', '[[[', 'application/json'],
    ];
    for (const [path, body, type] of cases) {
      const answer = await post(`${c.base}${path}`, body, type);
      expect([path, body.slice(0, 30), answer.status < 500]).toEqual([path, body.slice(0, 30), true]);
    }
    const refused = c.health.snapshot().endpoints.batch?.refused;
    expect(refused?.['bad-json']).toBeGreaterThanOrEqual(1);
    // Whatever was stored can be read back and rendered.
    const page = await (await fetch(`${c.base}/api/events`)).json();
    expect(page.events.length).toBe(c.store.stats().events);
    expect(Object.prototype.hasOwnProperty.call({}, 'polluted')).toBe(false);
  });

  it('survives a flood: every request answered, every event stored exactly once', async () => {
    const c = await collector();
    const requests = range(0, 200).map((r) => post(`${c.base}/v1/batch`, JSON.stringify(range(0, 10).map((k) => wideEvent(r * 10 + k)))));
    const answers = await Promise.all(requests);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const ids = await storedIds(c.base);
    expect(ids.length).toBe(2000);
    expect(new Set(ids).size).toBe(2000);
  });

  it('caps live-tail connections', async () => {
    const c = await collector({ maxStreams: 2 });
    const controllers = [new AbortController(), new AbortController()];
    const open = await Promise.all(controllers.map((ctl) => fetch(`${c.base}/api/stream`, { signal: ctl.signal })));
    expect(open.map((r) => r.status)).toEqual([200, 200]);
    expect((await fetch(`${c.base}/api/stream`)).status).toBe(503);
    for (const ctl of controllers) ctl.abort();
  });

  it('cuts off a body that trickles in slower than the request timeout', async () => {
    const c = await collector({ requestTimeoutMs: 1000 });
    const socket = connect(c.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    await new Promise<void>((resolve) => socket.once('close', () => resolve())); // the server ends it
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
    expect((await post(`${c.base}/v1/batch`, JSON.stringify([wideEvent(1)]))).status).toBe(200);
  });

  it('on a non-loopback address: refuses to start without a token, and refuses requests without the right one', async () => {
    await expect(startCollector({ host: '0.0.0.0' })).rejects.toThrow(/needs a token/);
    const c = await collector({ host: '0.0.0.0', token: 's3cret-token' });
    const url = `http://127.0.0.1:${c.port}`;
    const body = JSON.stringify([wideEvent(1)]);
    expect((await post(`${url}/v1/batch`, body)).status).toBe(401);
    expect((await post(`${url}/v1/batch`, body, 'application/json', { authorization: 'Bearer wrong-token!' })).status).toBe(401);
    expect((await post(`${url}/ingest?token=nope`, body, 'text/plain')).status).toBe(401);
    expect((await fetch(`${url}/api/events`)).status).toBe(401);
    expect((await fetch(`${url}/`)).status).toBe(401);
    expect(c.store.stats().events).toBe(0);
    expect((await post(`${url}/v1/batch`, body, 'application/json', { authorization: 'Bearer s3cret-token' })).status).toBe(200);
    expect((await post(`${url}/v1/batch`, JSON.stringify([wideEvent(2)]), 'application/json', { 'x-shiplog-token': 's3cret-token' })).status).toBe(200);
    expect((await fetch(`${url}/?token=s3cret-token`)).status).toBe(200);
    expect(c.url).toContain('?token=s3cret-token');
    expect(c.health.snapshot().endpoints.auth?.refused['bad-token']).toBe(5);
  });

  it('serves only the viewer’s own files', async () => {
    const c = await collector();
    for (const path of ['/viewer/../server.ts', '/viewer/%2e%2e/server.ts', '/etc/passwd', '/viewer/missing.js']) {
      expect([path, (await fetch(`${c.base}${path}`)).status]).toEqual([path, 404]);
    }
    expect((await fetch(`${c.base}/viewer/viewer.js`)).headers.get('content-type')).toContain('javascript');
  });
});

describe('ports', () => {
  it('uses the next free port when the asked-for one is taken, and says so', async () => {
    const first = await collector();
    const second = await collector({ port: first.port });
    expect(second.port).not.toBe(first.port);
    expect(second.note).toBe(`port ${first.port} is taken; using ${second.port} instead`);
  });
});
