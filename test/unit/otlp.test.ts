import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { activeSpanContext } from '../../src/otel-context.js';
import { OTLP_SCOPE, otlpSink, parseKeyValueList, resolveOtlpSettings, toLogRecord } from '../../src/sinks/otlp.js';
import pkg from '../../package.json' with { type: 'json' };
import { startCaptureServer, type CaptureServer } from './capture-server.js';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  json: any;
}
let collector: CaptureServer;
let base = '';
let url = '';
const answer = (status: number, body: string) => void (collector.answer = { status, body });

beforeAll(async () => {
  collector = await startCaptureServer();
  base = collector.url;
  url = `${base}/v1/logs`;
});
afterAll(() => collector.close());
afterEach(() => collector.reset());
/** What the collector received so far, bodies parsed. */
const arrived = (): Received[] => collector.received.map((r) => ({ path: r.path, headers: r.headers, json: JSON.parse(r.body) }));

const attr = (record: any, key: string) => record.attributes.find((a: any) => a.key === key)?.value;

it('exports a gzip OTLP/HTTP JSON ExportLogsServiceRequest a collector accepts', async () => {
  const log = createLogger({ vars: {}, service: 'checkout', env: 'prod', version: '2.0.0', sinks: [otlpSink({ url, vars: {}, resource: { 'host.name': 'h1' } })] });
  const req = log.request({ method: 'GET', url: '/pay', headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
  req.warn('card retry', { attempt: 2, ratio: 0.5, ok: false, tags: ['a'], user: { id: 7 } });
  log.error(new TypeError('declined'), 'payment failed');
  expect(await log.flush()).toMatchObject({ ok: true, delivered: 2 });

  expect(arrived()).toHaveLength(1);
  const [{ headers, json }] = arrived() as [Received];
  expect(headers['content-type']).toBe('application/json');
  expect(headers['content-encoding']).toBe('gzip');
  const resourceLogs = json.resourceLogs[0];
  expect(resourceLogs.resource.attributes).toEqual([
    { key: 'service.name', value: { stringValue: 'checkout' } },
    { key: 'deployment.environment.name', value: { stringValue: 'prod' } },
    { key: 'service.version', value: { stringValue: '2.0.0' } },
    { key: 'host.name', value: { stringValue: 'h1' } },
  ]);
  expect(resourceLogs.scopeLogs[0].scope).toEqual({ name: 'shiplog', version: pkg.version });
  const [warn, error] = resourceLogs.scopeLogs[0].logRecords;
  expect(warn).toMatchObject({
    severityNumber: 13,
    severityText: 'WARN',
    body: { stringValue: 'card retry' },
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    flags: 1,
  });
  expect(warn.timeUnixNano).toMatch(/^\d{19}$/);
  expect(warn.attributes).toEqual(
    expect.arrayContaining([
      { key: 'attempt', value: { intValue: '2' } },
      { key: 'ratio', value: { doubleValue: 0.5 } },
      { key: 'ok', value: { boolValue: false } },
      { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }] } } },
      { key: 'user', value: { kvlistValue: { values: [{ key: 'id', value: { intValue: '7' } }] } } },
      { key: 'requestId', value: { stringValue: '4bf92f3577b34da6a3ce929d0e0e4736' } },
    ]),
  );
  expect(warn.attributes.map((a: any) => a.key)).not.toContain('traceFlags');
  expect(error).toMatchObject({ severityNumber: 17, severityText: 'ERROR', body: { stringValue: 'payment failed' } });
  expect(attr(error, 'exception.type')).toEqual({ stringValue: 'TypeError' });
  expect(attr(error, 'exception.message')).toEqual({ stringValue: 'declined' });
});

describe('values a collector would reject', () => {
  const record = (fields: Record<string, unknown>) => toLogRecord({ level: 'info', time: 1, line: JSON.stringify({ level: 'info', time: '1970-01-01T00:00:00.001Z', msg: 'm', ...fields }) });

  it('intValue only for safe integers, doubleValue for the rest', () => {
    const r = record({ a: 1e21, b: 1e19, c: 2 ** 53, d: 2 ** 53 - 1, e: -3, f: 0.5 });
    expect(r.attributes).toEqual([
      { key: 'a', value: { doubleValue: 1e21 } },
      { key: 'b', value: { doubleValue: 1e19 } },
      { key: 'c', value: { doubleValue: 2 ** 53 } },
      { key: 'd', value: { intValue: '9007199254740991' } },
      { key: 'e', value: { intValue: '-3' } },
      { key: 'f', value: { doubleValue: 0.5 } },
    ]);
  });

  it('user traceId/spanId become OTLP ids only when valid hex of the right length, else stay attributes', () => {
    expect(record({ traceId: 'order-17', spanId: 'x' })).toMatchObject({ attributes: [{ key: 'traceId', value: { stringValue: 'order-17' } }, { key: 'spanId', value: { stringValue: 'x' } }] });
    expect(record({ traceId: 'order-17' }).traceId).toBeUndefined();
    expect(record({ traceId: '0'.repeat(32), spanId: '0'.repeat(16) })).not.toHaveProperty('traceId');
    expect(record({ traceId: 'ABCDEF0123456789ABCDEF0123456789', spanId: '0123456789ABCDE' })).toMatchObject({
      traceId: 'abcdef0123456789abcdef0123456789',
      attributes: [{ key: 'spanId', value: { stringValue: '0123456789ABCDE' } }],
    });
    expect(record({ traceId: 'abcdef0123456789abcdef0123456789', spanId: '0123456789abcdef', traceFlags: '01' })).toMatchObject({ spanId: '0123456789abcdef', flags: 1, attributes: [] });
  });

  it('null is the empty AnyValue, not the string "null"', () => {
    expect(record({ gone: null, list: [null] }).attributes).toEqual([
      { key: 'gone', value: {} },
      { key: 'list', value: { arrayValue: { values: [{}] } } },
    ]);
  });

  it('keeps an error cause chain and code as exception.* attributes', async () => {
    const events: any[] = [];
    const log = createLogger({ vars: {}, sinks: [{ name: 'capture', write: (b) => void events.push(...b) }] });
    const cause = Object.assign(new RangeError('socket closed'), { code: 'ECONNRESET' });
    log.error(Object.assign(new Error('payment failed', { cause }), { code: 'E_PAY', gateway: 'stripe' }));
    await log.flush();
    const r = toLogRecord(events[0]);
    expect(attr(r, 'exception.type')).toEqual({ stringValue: 'Error' });
    expect(attr(r, 'exception.message')).toEqual({ stringValue: 'payment failed' });
    expect(attr(r, 'exception.stacktrace').stringValue).toContain('payment failed');
    expect(attr(r, 'exception.code')).toEqual({ stringValue: 'E_PAY' });
    expect(attr(r, 'exception.details')).toEqual({ kvlistValue: { values: [{ key: 'gateway', value: { stringValue: 'stripe' } }] } });
    const chain = attr(r, 'exception.cause').kvlistValue.values;
    expect(chain).toEqual(
      expect.arrayContaining([
        { key: 'name', value: { stringValue: 'RangeError' } },
        { key: 'message', value: { stringValue: 'socket closed' } },
        { key: 'code', value: { stringValue: 'ECONNRESET' } },
      ]),
    );
  });

  it('sends eventId as log.record.uid', () => {
    expect(record({ eventId: 'k3x9-42' }).attributes).toEqual([{ key: 'log.record.uid', value: { stringValue: 'k3x9-42' } }]);
  });

  it('the scope version is the package version', () => {
    expect(OTLP_SCOPE).toEqual({ name: 'shiplog', version: pkg.version });
  });
});

describe('the collector response', () => {
  it('a partialSuccess that rejects the whole batch drops it with reason rejected, once (no retry)', async () => {
    answer(200, JSON.stringify({ partialSuccess: { rejectedLogRecords: '2', errorMessage: 'bad records' } }));
    const dropped: [number, string][] = [];
    const log = createLogger({ vars: {}, sinks: [otlpSink({ url, vars: {} })], onDropped: (e, reason) => void dropped.push([e.length, reason]) });
    log.info('a');
    log.info('b');
    expect(await log.flush()).toMatchObject({ ok: false, delivered: 0, dropped: 2 });
    expect(dropped).toEqual([[2, 'rejected']]);
    expect(arrived()).toHaveLength(1);
    expect(log.stats().sinks.otlp).toMatchObject({ accepted: 2, delivered: 0, droppedByReason: { rejected: 2 } });
  });

  it('a partialSuccess that rejects some records is reported to onPartialSuccess', async () => {
    answer(200, JSON.stringify({ partialSuccess: { rejectedLogRecords: '1', errorMessage: 'one bad' } }));
    const partial: unknown[] = [];
    const log = createLogger({ vars: {}, sinks: [otlpSink({ url, vars: {}, onPartialSuccess: (...a) => void partial.push(a) })] });
    log.info('a');
    log.info('b');
    await log.flush();
    expect(partial).toEqual([[1, 'one bad', 2]]);
  });

  it('an empty or zero partialSuccess is plain success', async () => {
    answer(200, JSON.stringify({ partialSuccess: {} }));
    const log = createLogger({ vars: {}, sinks: [otlpSink({ url, vars: {} })] });
    log.info('a');
    expect(await log.flush()).toMatchObject({ ok: true, delivered: 1 });
  });
});

describe('OTEL_* variables, read when the sink is created', () => {
  it('endpoint, headers, service name, resource attributes and compression', async () => {
    const vars = {
      OTEL_EXPORTER_OTLP_ENDPOINT: `${base}/`,
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-team=core',
      OTEL_SERVICE_NAME: 'billing',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=ignored,k8s.pod.name=pod%2D1,cloud.region=eu',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
    };
    const sink = otlpSink({ vars });
    vars.OTEL_SERVICE_NAME = 'changed-after-creation';
    const log = createLogger({ vars: {}, sinks: [sink] });
    log.info('hello');
    await log.flush();
    const [{ path, headers, json }] = arrived() as [Received];
    expect(path).toBe('/v1/logs');
    expect(headers).toMatchObject({ authorization: 'Bearer abc', 'x-team': 'core' });
    expect(headers['content-encoding']).toBeUndefined();
    expect(json.resourceLogs[0].resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'billing' } },
      { key: 'k8s.pod.name', value: { stringValue: 'pod-1' } },
      { key: 'cloud.region', value: { stringValue: 'eu' } },
    ]);
  });

  it('the logs endpoint is used as is; options in code win; the default is localhost:4318', () => {
    expect(resolveOtlpSettings({ vars: { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://c:1/custom', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' } }).url).toBe('http://c:1/custom');
    expect(resolveOtlpSettings({ url: 'http://code/v1/logs', vars: { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://env' } }).url).toBe('http://code/v1/logs');
    expect(resolveOtlpSettings({ vars: {} })).toEqual({ url: 'http://localhost:4318/v1/logs', headers: {}, base: {}, gzip: true });
    expect(resolveOtlpSettings({ vars: { OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: 'none' } }).gzip).toBe(false);
    expect(parseKeyValueList('a=1,=x,b,c=%E2%9C%93,d=%zz')).toEqual({ a: '1', c: '✓', d: '%zz' });
  });

  it('an event service wins over OTEL_SERVICE_NAME; the resource option wins over both', async () => {
    const log = createLogger({ vars: {}, service: 'from-logger', sinks: [otlpSink({ url, gzip: false, vars: { OTEL_SERVICE_NAME: 'env' }, resource: { 'service.version': '9' } })] });
    log.info('x');
    await log.flush();
    expect(arrived()[0]?.json.resourceLogs[0].resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'from-logger' } },
      { key: 'service.version', value: { stringValue: '9' } },
    ]);
  });
});

describe('trace context from a globally registered OpenTelemetry API', () => {
  afterEach(async () => {
    const { context, trace } = await import('@opentelemetry/api');
    context.disable();
    trace.disable();
  });

  it('the active span wins over traceparent; without one, traceparent is used', async () => {
    const { context, trace, ROOT_CONTEXT } = await import('@opentelemetry/api');
    // A minimal context manager: the API calls `with` and `active`, nothing else here.
    let active = ROOT_CONTEXT;
    context.setGlobalContextManager({
      active: () => active,
      with: (ctx, fn, thisArg, ...args) => {
        const prev = active;
        active = ctx;
        try {
          return fn.call(thisArg, ...args);
        } finally {
          active = prev;
        }
      },
      bind: (_ctx, target) => target,
      enable() {
        return this;
      },
      disable() {
        return this;
      },
    });
    expect(activeSpanContext()).toBeUndefined();
    const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    const log = createLogger({ vars: {}, sinks: [otlpSink({ url, vars: {}, gzip: false })] });
    const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' };
    context.with(trace.setSpan(ROOT_CONTEXT, span), () => log.request({ headers }).info('in span'));
    log.request({ headers }).info('outside');
    await log.flush();
    const [inSpan, outside] = arrived()[0]?.json.resourceLogs[0].scopeLogs[0].logRecords;
    expect(inSpan).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', flags: 1 });
    expect(outside).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: 0 });
  });
});
