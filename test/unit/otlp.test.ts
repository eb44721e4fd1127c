import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { otlpSink } from '../../src/sinks/otlp.js';

let server: Server;
let url = '';
const bodies: { contentType: string | undefined; json: any }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      bodies.push({ contentType: req.headers['content-type'], json: JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/v1/logs`;
});
afterAll(() => new Promise((r) => server.close(r)));

it('exports an OTLP/HTTP JSON ExportLogsServiceRequest a collector accepts', async () => {
  const log = createLogger({ vars: {}, service: 'checkout', env: 'prod', version: '2.0.0', sinks: [otlpSink({ url, resource: { 'host.name': 'h1' } })] });
  const req = log.request({ method: 'GET', url: '/pay', headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
  req.warn('card retry', { attempt: 2, ratio: 0.5, ok: false, tags: ['a'], user: { id: 7 } });
  log.error(new TypeError('declined'), 'payment failed');
  expect(await log.flush()).toMatchObject({ ok: true, delivered: 2 });

  expect(bodies).toHaveLength(1);
  const [{ contentType, json }] = bodies as [{ contentType: string; json: any }];
  expect(contentType).toBe('application/json');
  const resourceLogs = json.resourceLogs[0];
  expect(resourceLogs.resource.attributes).toEqual(
    expect.arrayContaining([
      { key: 'service.name', value: { stringValue: 'checkout' } },
      { key: 'deployment.environment', value: { stringValue: 'prod' } },
      { key: 'service.version', value: { stringValue: '2.0.0' } },
      { key: 'host.name', value: { stringValue: 'h1' } },
    ]),
  );
  const [warn, error] = resourceLogs.scopeLogs[0].logRecords;
  expect(warn).toMatchObject({
    severityNumber: 13,
    severityText: 'WARN',
    body: { stringValue: 'card retry' },
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
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
  expect(error).toMatchObject({ severityNumber: 17, severityText: 'ERROR', body: { stringValue: 'payment failed' } });
  expect(error.attributes).toEqual(
    expect.arrayContaining([
      { key: 'exception.type', value: { stringValue: 'TypeError' } },
      { key: 'exception.message', value: { stringValue: 'declined' } },
    ]),
  );
});
