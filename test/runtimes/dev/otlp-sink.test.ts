/**
 * otlpSink as it ships (gzip on, OTEL_* off) into `shiplog dev`'s OTLP receiver: every event
 * arrives once, with its env (deployment.environment.name), request id,
 * trace ids and the error's code and cause chain.
 */
import { afterEach, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { otlpSink } from '../../../src/sinks/otlp.js';
import { startCollector, type TestCollector } from './helpers.js';

let running: TestCollector | undefined;
afterEach(() => running?.stop());

it('a gzip OTLP export from otlpSink is stored event for event, fields intact', async () => {
  running = await startCollector();
  const log = createLogger({ vars: {}, service: 'billing', env: 'dev', sinks: [otlpSink({ url: `${running.base}/v1/logs?runtime=node`, vars: {} })] });
  const req = log.request({ method: 'POST', url: '/pay', headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'x-request-id': 'r-9' } });
  req.info('charging', { amount: 42, big: 1e21, none: null });
  const cause = Object.assign(new RangeError('socket closed'), { code: 'ECONNRESET' });
  req.emit({ status: 502, error: Object.assign(new Error('charge failed', { cause }), { code: 'E_PAY' }) });
  expect(await log.flush()).toMatchObject({ ok: true, delivered: 2, dropped: 0 });

  const { events } = await (await fetch(`${running.base}/api/events?service=billing`)).json();
  expect(events).toHaveLength(2);
  const [wide, info] = events;
  expect(info).toMatchObject({ level: 'info', msg: 'charging', service: 'billing', env: 'dev', requestId: 'r-9', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', amount: 42, big: 1e21 });
  expect(wide).toMatchObject({
    level: 'error',
    status: 502,
    error: { name: 'Error', message: 'charge failed', code: 'E_PAY', cause: { name: 'RangeError', message: 'socket closed', code: 'ECONNRESET' } },
  });
  expect(running.health.snapshot().endpoints.otlp).toMatchObject({ requests: 1 });
});
