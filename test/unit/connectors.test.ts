/**
 * Each connector against a local node:http server standing in for the vendor, which checks the
 * request exactly as the vendor's public docs specify it (linked in each connector's source):
 * host and path, auth header, content type, body shape, level and timestamp mapping.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type Sink } from '../../src/index.js';
import { axiomSink, betterStackSink, datadogSink, lokiSink, parseDsn, posthogSink, sentrySink } from '../../src/connectors/index.js';
import { startCaptureServer, type Captured, type CaptureServer } from './capture-server.js';

/** A request, with the host the connector addressed (before the test fetch rerouted it here). */
interface Received extends Captured {
  host: string;
}
let vendor: CaptureServer;
let local = '';
/** Vendors answer 202 (Better Stack, Datadog) unless a test says otherwise. */
const answer = (status: number) => void (vendor.answer = { status, body: '{}' });

beforeAll(async () => {
  vendor = await startCaptureServer();
  local = vendor.url;
  answer(202);
});
afterAll(() => vendor.close());
afterEach(() => {
  vendor.reset();
  answer(202);
});
/** What arrived, in order (call after the flush). */
const arrived = (): Received[] => vendor.received.map((r) => ({ ...r, host: String(r.headers['x-original-host']) }));

/** Sends to the local server instead of the vendor, keeping path and query, noting the host. */
const reroute: typeof fetch = (input, init) => {
  const url = new URL(String(input));
  const headers = new Headers(init?.headers);
  headers.set('x-original-host', url.host);
  return fetch(`${local}${url.pathname}${url.search}`, { ...init, headers });
};

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const TIME = Date.UTC(2026, 11, 7, 12, 0, 0, 123);

/** Logs the same three events through `sink`: info with fields, a request's wide event, a fatal error. */
async function logThrough(sink: Sink): Promise<void> {
  const realNow = Date.now;
  Date.now = () => TIME;
  try {
    const log = createLogger({ vars: {}, level: 'trace', service: 'checkout', env: 'prod', version: '1.2.3', sinks: [sink] });
    log.info('card charged', { amount: 42, user: { id: 7 } });
    const req = log.request({ method: 'GET', url: '/orders/9', headers: { traceparent: TRACEPARENT, 'x-request-id': 'req-1' } });
    req.emit({ status: 200 });
    log.fatal(new Error('disk gone'), 'shutting down');
    expect(await log.flush()).toMatchObject({ ok: true, delivered: 3, dropped: 0 });
  } finally {
    Date.now = realNow;
  }
}

describe('Better Stack', () => {
  it('POSTs a JSON array to the ingesting host with the source token; dt is the event time', async () => {
    await logThrough(betterStackSink({ sourceToken: 'tok_123', host: 's1234.eu-nbg-2.betterstackdata.com', fetch: reroute }));
    expect(arrived()).toHaveLength(1);
    const [r] = arrived() as [Received];
    expect([r.host, r.method, r.path]).toEqual(['s1234.eu-nbg-2.betterstackdata.com', 'POST', '/']);
    expect(r.headers.authorization).toBe('Bearer tok_123');
    expect(r.headers['content-type']).toBe('application/json');
    const events = JSON.parse(r.body);
    expect(events).toHaveLength(3);
    expect(events[0]).toEqual({ dt: '2026-12-07T12:00:00.123Z', eventId: expect.any(String), message: 'card charged', level: 'info', service: 'checkout', env: 'prod', version: '1.2.3', amount: 42, user: { id: 7 } });
    expect(events[1]).toMatchObject({ dt: '2026-12-07T12:00:00.123Z', message: 'GET /orders/9 200', level: 'info', requestId: 'req-1', status: 200 });
    expect(events[2]).toMatchObject({ message: 'shutting down', level: 'fatal', error: { name: 'Error', message: 'disk gone' } });
    for (const event of events) expect(event).not.toHaveProperty('time');
  });

  it('the default host is in.logs.betterstack.com', async () => {
    await logThrough(betterStackSink({ sourceToken: 't', fetch: reroute }));
    expect(arrived()[0]?.host).toBe('in.logs.betterstack.com');
  });
});

describe('Axiom', () => {
  it('POSTs a JSON array to /v1/datasets/{dataset}/ingest with the API token; _time is the event time', async () => {
    await logThrough(axiomSink({ token: 'xaat-1', dataset: 'my logs', fetch: reroute }));
    const [r] = arrived() as [Received];
    expect([r.host, r.method, r.path]).toEqual(['api.axiom.co', 'POST', '/v1/datasets/my%20logs/ingest']);
    expect(r.headers.authorization).toBe('Bearer xaat-1');
    expect(r.headers['content-type']).toBe('application/json');
    const events = JSON.parse(r.body);
    expect(events[0]).toEqual({ _time: '2026-12-07T12:00:00.123Z', eventId: expect.any(String), level: 'info', msg: 'card charged', service: 'checkout', env: 'prod', version: '1.2.3', amount: 42, user: { id: 7 } });
    expect(events[2]).toMatchObject({ level: 'fatal', msg: 'shutting down' });
  });

  it('an edge deployment uses /v1/ingest/{dataset} on its domain', async () => {
    await logThrough(axiomSink({ token: 't', dataset: 'd', edge: 'eu-central-1.aws.edge.axiom.co', fetch: reroute }));
    expect([arrived()[0]?.host, arrived()[0]?.path]).toEqual(['eu-central-1.aws.edge.axiom.co', '/v1/ingest/d']);
  });
});

describe('Datadog', () => {
  it('POSTs to the site intake /api/v2/logs with DD-API-KEY; status, timestamp, ddsource, ddtags, service', async () => {
    await logThrough(datadogSink({ apiKey: 'dd-key', site: 'datadoghq.eu', hostname: 'web-1', tags: ['team:pay'], fetch: reroute }));
    const [r] = arrived() as [Received];
    expect([r.host, r.method, r.path]).toEqual(['http-intake.logs.datadoghq.eu', 'POST', '/api/v2/logs']);
    expect(r.headers['dd-api-key']).toBe('dd-key');
    expect(r.headers['content-type']).toBe('application/json');
    const events = JSON.parse(r.body);
    expect(events[0]).toEqual({
      eventId: expect.any(String), // every line's id travels as an attribute (receivers can dedupe by it)
      message: 'card charged',
      status: 'info',
      timestamp: TIME,
      service: 'checkout',
      env: 'prod',
      version: '1.2.3',
      amount: 42,
      user: { id: 7 },
      ddsource: 'nodejs',
      ddtags: 'team:pay,env:prod,version:1.2.3',
      hostname: 'web-1',
    });
    expect(events.map((e: { status: string }) => e.status)).toEqual(['info', 'info', 'critical']);
  });

  it('never sends more than 1000 logs in one request (the documented array limit)', async () => {
    const log = createLogger({ vars: {}, maxBufferSize: 5000, batch: { size: 5000, maxBytes: 10_000_000 }, sinks: [datadogSink({ apiKey: 'k', fetch: reroute, batch: { size: 5000 } })] });
    for (let i = 0; i < 2500; i++) log.info('x', { i });
    expect(await log.flush()).toMatchObject({ ok: true, dropped: 0, pending: 0 });
    expect(log.stats().sinks.datadog).toMatchObject({ accepted: 2500, delivered: 2500 });
    expect(arrived().map((r) => JSON.parse(r.body).length)).toEqual([1000, 1000, 500]);
  });
});

describe('Grafana Loki', () => {
  it('POSTs streams to /loki/api/v1/push with low-cardinality labels and nanosecond timestamps', async () => {
    answer(204);
    await logThrough(lokiSink({ url: `${local}/`, labels: { app: 'shop' }, username: '12345', password: 'glc_token', tenant: 'team-a' }));
    const [r] = arrived() as [Received];
    expect([r.method, r.path]).toEqual(['POST', '/loki/api/v1/push']);
    expect(r.headers.authorization).toBe(`Basic ${Buffer.from('12345:glc_token').toString('base64')}`);
    expect(r.headers['x-scope-orgid']).toBe('team-a');
    expect(r.headers['content-type']).toBe('application/json');
    const { streams } = JSON.parse(r.body);
    expect(streams.map((s: { stream: unknown }) => s.stream)).toEqual([
      { app: 'shop', service_name: 'checkout', env: 'prod', level: 'info' },
      { app: 'shop', service_name: 'checkout', env: 'prod', level: 'fatal' },
    ]);
    const info = streams[0].values as [string, string][];
    expect(info).toHaveLength(2);
    expect(info[0]?.[0]).toBe(`${TIME}000000`);
    expect(JSON.parse(info[1]?.[1] ?? '')).toMatchObject({ requestId: 'req-1', status: 200 }); // ids stay in the line, never labels
    for (const stream of streams) expect(Object.keys(stream.stream).sort()).toEqual(['app', 'env', 'level', 'service_name']);
  });
});

describe('PostHog', () => {
  it('sends OTLP/HTTP JSON to /i/v1/logs with the project token as a bearer token', async () => {
    answer(200);
    await logThrough(posthogSink({ token: 'phc_abc', host: 'https://eu.i.posthog.com', fetch: reroute }));
    const [r] = arrived() as [Received];
    expect([r.host, r.method, r.path]).toEqual(['eu.i.posthog.com', 'POST', '/i/v1/logs']);
    expect(r.headers.authorization).toBe('Bearer phc_abc');
    expect(r.headers['content-type']).toBe('application/json');
    const records = JSON.parse(r.body).resourceLogs[0].scopeLogs[0].logRecords;
    expect(records.map((x: { severityText: string }) => x.severityText)).toEqual(['INFO', 'INFO', 'FATAL']);
    expect(records[1]).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', timeUnixNano: `${TIME}000000` });
  });
});

describe('Sentry', () => {
  it('POSTs one envelope with a log item to /api/<project>/envelope/ with X-Sentry-Auth', async () => {
    answer(200);
    await logThrough(sentrySink({ dsn: 'https://publickey@o42.ingest.us.sentry.io/4505', fetch: reroute }));
    const [r] = arrived() as [Received];
    expect([r.host, r.method, r.path]).toEqual(['o42.ingest.us.sentry.io', 'POST', '/api/4505/envelope/']);
    expect(r.headers['x-sentry-auth']).toBe('Sentry sentry_version=7, sentry_key=publickey, sentry_client=shiplog/0.1.0');
    expect(r.headers['content-type']).toBe('application/x-sentry-envelope');
    const [envelopeHeader, itemHeader, payload, rest] = r.body.split('\n');
    expect(rest).toBe('');
    expect(Date.parse(JSON.parse(envelopeHeader ?? '').sent_at)).not.toBeNaN();
    expect(JSON.parse(itemHeader ?? '')).toEqual({ type: 'log', item_count: 3, content_type: 'application/vnd.sentry.items.log+json' });
    const { items } = JSON.parse(payload ?? '');
    expect(items).toHaveLength(3);
    expect(items[0]).toEqual({
      timestamp: TIME / 1000,
      trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      level: 'info',
      severity_number: 9,
      body: 'card charged',
      attributes: {
        'sentry.sdk.name': { value: 'shiplog', type: 'string' },
        'sentry.sdk.version': { value: '0.1.0', type: 'string' },
        'sentry.environment': { value: 'prod', type: 'string' },
        'sentry.release': { value: '1.2.3', type: 'string' },
        service: { value: 'checkout', type: 'string' },
        eventId: { value: expect.any(String), type: 'string' },
        amount: { value: 42, type: 'integer' },
        'user.id': { value: 7, type: 'integer' },
      },
    });
    expect(items[1]).toMatchObject({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', body: 'GET /orders/9 200', attributes: { status: { value: 200, type: 'integer' } } });
    expect(items[2]).toMatchObject({ level: 'fatal', severity_number: 21, attributes: { 'error.message': { value: 'disk gone', type: 'string' } } });
  });

  it('at most 100 logs per envelope; a DSN with a path prefix keeps it', async () => {
    answer(200);
    const log = createLogger({ vars: {}, batch: { size: 1000 }, sinks: [sentrySink({ dsn: 'https://k@sentry.example.com/prefix/7', fetch: reroute })] });
    for (let i = 0; i < 250; i++) log.info('x');
    expect(await log.flush()).toMatchObject({ ok: true, dropped: 0, pending: 0 });
    expect(log.stats().sinks.sentry).toMatchObject({ accepted: 250, delivered: 250 });
    expect(arrived().map((r) => JSON.parse(r.body.split('\n')[1] ?? '').item_count)).toEqual([100, 100, 50]);
    expect(arrived()[0]?.path).toBe('/prefix/api/7/envelope/');
    expect(() => parseDsn('not a dsn')).toThrow(TypeError);
    expect(() => parseDsn('https://sentry.io/1')).toThrow(TypeError);
  });
});
