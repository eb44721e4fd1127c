/**
 * withShiplog in-process, against the source: event shapes, status, ids, cold start, the flush
 * budget, outcomes that logging must never change. Delivery across a freeze is freeze.test.ts.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, Handler } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getLogger, httpEventInfo, resultStatus, SinkError, withShiplog, type LambdaContext, type Sink } from '../../../runtimes/lambda/index.js';
import { memorySink } from '../../../src/testing.js';
// @ts-expect-error plain ESM fixtures without type declarations
import { albEvent, functionUrlEvent, httpApiEvent, restEvent, sqsEvent } from '../../../fixtures/lambda/events.mjs';

type Json = Record<string, any>;

function lambdaContext(overrides: Partial<LambdaContext> = {}): LambdaContext {
  return {
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    functionName: 'orders-api',
    functionVersion: '$LATEST',
    memoryLimitInMB: '1024',
    getRemainingTimeInMillis: () => 10_000,
    ...overrides,
  };
}

const wide = (sink: ReturnType<typeof memorySink>): Json => sink.records().find((r) => r.lambda !== undefined) as Json;

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe('withShiplog (Lambda) in-process', () => {
  it.each([
    ['REST API v1', restEvent(), { method: 'GET', path: '/orders/42', trigger: 'api-gateway-rest', route: '/orders/{id}', ip: '203.0.113.9', status: 201 }],
    ['HTTP API v2', httpApiEvent(), { method: 'POST', path: '/orders/42', trigger: 'api-gateway-http', route: 'POST /orders/{id}', ip: '198.51.100.7', status: 201 }],
    ['Function URL', functionUrlEvent(), { method: 'GET', path: '/health', trigger: 'function-url', route: undefined, ip: '192.0.2.44', status: 201 }],
    ['ALB', albEvent(), { method: 'DELETE', path: '/orders/42', trigger: 'alb', route: undefined, ip: '192.0.2.1', status: 201 }],
  ])('reads the request of a %s event into the wide event', async (_name, event, expected) => {
    const sink = memorySink();
    const handler = withShiplog({ sinks: [sink] }, async () => ({ statusCode: 201, body: '' }));
    const context = lambdaContext();
    await handler(event, context);
    const record = wide(sink);
    expect(record).toMatchObject({ method: expected.method, path: expected.path, status: expected.status, requestId: context.awsRequestId });
    expect(record.lambda).toMatchObject({ trigger: expected.trigger, function: 'orders-api', version: '$LATEST', memoryMb: 1024 });
    expect(record.http?.route).toBe(expected.route);
    expect(record.http?.ip).toBe(expected.ip);
  });

  it('reads odd but real events without throwing: null headers (console test invokes), junk, non-HTTP', () => {
    expect(httpEventInfo(restEvent({ headers: null, multiValueHeaders: null, requestContext: null }))).toMatchObject({ source: 'api-gateway-rest', method: 'GET', path: '/orders/42', headers: {} });
    expect(httpEventInfo(httpApiEvent({ headers: undefined }))).toMatchObject({ source: 'api-gateway-http', headers: {} });
    for (const junk of [null, undefined, 42, 'text', [], { version: '2.0', requestContext: { http: null } }, { httpMethod: 7 }, sqsEvent()]) {
      expect(httpEventInfo(junk)).toBeUndefined();
    }
    const hostile = { get httpMethod(): string { throw new Error('getter'); } };
    expect(httpEventInfo(hostile)).toBeUndefined();
    expect(resultStatus('api-gateway-rest', { statusCode: '404' })).toBe(404);
    expect(resultStatus('api-gateway-rest', null)).toBeUndefined();
    expect(resultStatus(undefined, { statusCode: 200 })).toBeUndefined();
  });

  it('uses the Lambda request id even when the client sent x-request-id', async () => {
    const sink = memorySink();
    const handler = withShiplog({ sinks: [sink] }, async (_e, _c, log) => log.requestId);
    const context = lambdaContext({ awsRequestId: 'aws-req-1' });
    expect(await handler(functionUrlEvent(), context)).toBe('aws-req-1');
    expect(wide(sink).requestId).toBe('aws-req-1');
  });

  it('takes the status from the result: v2 without statusCode is 200, non-HTTP triggers have none', async () => {
    const sink = memorySink();
    const handler = withShiplog({ sinks: [sink] }, async (event: Json) => (event.Records ? undefined : 'plain body'));
    await handler(httpApiEvent(), lambdaContext());
    await handler(sqsEvent(), lambdaContext());
    const [v2, sqs] = sink.records().filter((r) => r.lambda !== undefined);
    expect(v2).toMatchObject({ status: 200, level: 'info' });
    expect(sqs).not.toHaveProperty('status');
    expect(sqs?.msg).toBe('invocation');
    expect(sqs).not.toHaveProperty('http');
    expect(sqs?.lambda).not.toHaveProperty('trigger');
  });

  it('a 5xx result makes the wide event an error', async () => {
    const sink = memorySink();
    const handler = withShiplog({ sinks: [sink] }, async () => ({ statusCode: 503, body: '' }));
    await handler(restEvent(), lambdaContext());
    expect(wide(sink)).toMatchObject({ level: 'error', status: 503 });
  });

  it('rethrows exactly what the handler threw, Error or not', async () => {
    const sink = memorySink();
    const error = new RangeError('bad');
    const thrown: unknown[] = [error, 'a string', { code: 42 }];
    let i = 0;
    const handler = withShiplog({ sinks: [sink] }, async () => {
      throw thrown[i++];
    });
    for (const expected of thrown) await expect(handler(restEvent(), lambdaContext())).rejects.toBe(expected);
    const wides = sink.records().filter((r) => r.lambda !== undefined);
    expect(wides.map((w) => w.level)).toEqual(['error', 'error', 'error']);
    expect(wides[0]?.error).toMatchObject({ name: 'RangeError', message: 'bad' });
  });

  it('a failing sink and a throwing onFlush never replace the result or the error', async () => {
    const broken: Sink = { name: 'broken', write: () => { throw new SinkError('nope', { retryable: false }); } };
    const flushes: Json[] = [];
    const handler = withShiplog(
      {
        sinks: [broken],
        onFlush: (result) => {
          flushes.push(result);
          throw new Error('hook failed');
        },
      },
      async (event: Json) => {
        if (event.fail) throw new Error('handler failed');
        return { statusCode: 200 };
      },
    );
    const stderr: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    try {
      await expect(handler({ fail: false }, lambdaContext())).resolves.toEqual({ statusCode: 200 });
      await expect(handler({ fail: true }, lambdaContext())).rejects.toThrow('handler failed');
    } finally {
      spy.mockRestore();
    }
    expect(flushes.map((f) => [f.ok, f.dropped])).toEqual([[false, 1], [false, 1]]);
    // The hook's failure is reported on stderr, not thrown into the invocation.
    expect(stderr.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: 'error', msg: 'shiplog: end of invocation failed', error: 'Error: hook failed' }),
      expect.objectContaining({ level: 'error', msg: 'shiplog: end of invocation failed' }),
    ]);
    expect(handler.logger?.stats().sinks.broken?.droppedByReason.rejected).toBe(2);
  });

  it('bounds the flush by min(flushTimeoutMs, remaining time - margin)', async () => {
    vi.useFakeTimers();
    const never: Sink = { name: 'stuck', write: () => new Promise(() => {}) };
    const flushes: Json[] = [];
    const handler = withShiplog(
      { sinks: [never], flushTimeoutMs: 5000, marginMs: 100, timeoutWarningMs: 0, onFlush: (r) => flushes.push(r) },
      async () => 'done',
    );
    let remaining = 800;
    let settled = false;
    const running = handler({}, lambdaContext({ getRemainingTimeInMillis: () => remaining })).then((r) => {
      settled = true;
      return r;
    });
    await vi.advanceTimersByTimeAsync(699);
    expect(settled).toBe(false);
    remaining = 100;
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
    expect(await running).toBe('done');
    expect(flushes[0]).toMatchObject({ ok: false, timedOut: true, pending: 1 });

    // With plenty of time left, flushTimeoutMs is the bound.
    settled = false;
    remaining = 60_000;
    const second = handler({}, lambdaContext({ getRemainingTimeInMillis: () => remaining })).then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(4999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await second;
    expect(settled).toBe(true);
  });

  it('no remaining time: the flush is skipped at once instead of overrunning the deadline', async () => {
    vi.useFakeTimers();
    const never: Sink = { name: 'stuck', write: () => new Promise(() => {}) };
    const flushes: Json[] = [];
    const handler = withShiplog({ sinks: [never], onFlush: (r) => flushes.push(r) }, async () => 'late');
    const running = handler({}, lambdaContext({ getRemainingTimeInMillis: () => 50 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(await running).toBe('late');
    expect(flushes[0]).toMatchObject({ timedOut: true });
  });

  it('NaN flushTimeoutMs/marginMs (Number of an unset variable) still bound the flush by the remaining time', async () => {
    vi.useFakeTimers();
    const never: Sink = { name: 'stuck', write: () => new Promise(() => {}) };
    for (const bad of [{ flushTimeoutMs: Number.NaN }, { marginMs: Number.NaN }, { marginMs: Infinity }]) {
      const flushes: Json[] = [];
      const handler = withShiplog({ sinks: [never], timeoutWarningMs: 0, onFlush: (r) => flushes.push(r), ...bad }, async () => 'done');
      let settled = false;
      const running = handler({}, lambdaContext({ getRemainingTimeInMillis: () => 800 })).then((r) => {
        settled = true;
        return r;
      });
      // 800 ms remain: the flush must end by 800 - 100 (default margin), not run the core's 10 s default.
      await vi.advanceTimersByTimeAsync(700);
      expect(settled, JSON.stringify(bad)).toBe(true);
      expect(await running).toBe('done');
      expect(flushes[0]).toMatchObject({ ok: false, timedOut: true, pending: 1 });
    }
  });

  it('timeoutWarningMs: Infinity does not fire the "about to time out" warning at once', async () => {
    vi.useFakeTimers();
    const sink = memorySink();
    const handler = withShiplog({ sinks: [sink], timeoutWarningMs: Infinity }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return 'ok';
    });
    const running = handler({}, lambdaContext({ getRemainingTimeInMillis: () => 10_000 }));
    await vi.advanceTimersByTimeAsync(50);
    expect(await running).toBe('ok');
    expect(sink.records().map((r) => r.msg)).toEqual(['invocation']);
  });

  it('a result whose statusCode getter throws: returned unchanged, wide event written, everything flushed', async () => {
    const sink = memorySink();
    const result = {
      get statusCode(): number {
        throw new Error('statusCode getter');
      },
    };
    const handler = withShiplog({ sinks: [sink] }, async (_e, _c, log) => {
      log.info('work done');
      return result;
    });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(handler(restEvent(), lambdaContext())).resolves.toBe(result);
    } finally {
      stderr.mockRestore();
    }
    expect(stderr).not.toHaveBeenCalled();
    // Delivered by the flush in finally (the batch interval is 5 s): nothing was skipped.
    expect(sink.records().map((r) => r.msg)).toEqual(['work done', 'GET /orders/42']);
    expect(wide(sink)).not.toHaveProperty('status');
    expect(handler.logger?.stats().sinks.memory).toMatchObject({ accepted: 2, delivered: 2, pending: 0 });
  });

  it('called without a context (a direct call in a test): the handler runs and its wide event is written', async () => {
    const sink = memorySink();
    const handler = withShiplog({ sinks: [sink] }, async (event: Json, context) => ({ statusCode: 200, got: [event.id, context] }));
    await expect(handler({ id: 7 }, undefined as unknown as LambdaContext)).resolves.toEqual({ statusCode: 200, got: [7, undefined] });
    const record = wide(sink);
    expect(record).toMatchObject({ msg: 'invocation', lambda: { coldStart: true } });
    expect(typeof record.requestId).toBe('string');
  });

  it('cold start is true only for the first invocation, and never under provisioned concurrency', async () => {
    const sink = memorySink();
    const handler = withShiplog({ sinks: [sink] }, async () => 'ok');
    for (let i = 0; i < 3; i++) await handler({}, lambdaContext());
    expect(sink.records().map((r) => (r as Json).lambda.coldStart)).toEqual([true, false, false]);

    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'provisioned-concurrency');
    const provisioned = memorySink();
    const warmHandler = withShiplog({ sinks: [provisioned] }, async () => 'ok');
    await warmHandler({}, lambdaContext());
    expect((provisioned.records()[0] as Json).lambda.coldStart).toBe(false);
  });

  it('reads the X-Ray trace id per invocation and creates the logger at the first one', async () => {
    vi.stubEnv('SHIPLOG_LEVEL', 'warn');
    const sink = memorySink();
    const handler = withShiplog({ sinks: [sink] }, async (_e, _c, log) => {
      log.warn('careful');
      log.info('filtered by SHIPLOG_LEVEL');
    });
    expect(handler.logger).toBeUndefined();
    vi.stubEnv('_X_AMZN_TRACE_ID', 'Root=1-aaaa-bbbb;Parent=cc;Sampled=0');
    await handler({}, lambdaContext());
    vi.stubEnv('_X_AMZN_TRACE_ID', 'Root=1-dddd-eeee;Parent=ff;Sampled=1');
    await handler({}, lambdaContext());
    expect(handler.logger?.level).toBe('warn');
    expect(sink.records().map((r) => [r.msg, r.xrayTraceId])).toEqual([
      ['careful', '1-aaaa-bbbb'],
      ['careful', '1-dddd-eeee'],
    ]);
  });

  it('getLogger() returns the current invocation\'s logger deep in the call tree, and throws outside one', async () => {
    const sink = memorySink();
    async function loadOrder(id: string): Promise<string> {
      await new Promise((resolve) => setTimeout(resolve, 1));
      getLogger().info('loaded in a helper', { id });
      getLogger().set({ order: { id } });
      return id;
    }
    const handler = withShiplog({ sinks: [sink] }, async (event: Json) => loadOrder(event.id));
    const contexts = [lambdaContext({ awsRequestId: 'a' }), lambdaContext({ awsRequestId: 'b' })];
    await Promise.all([handler({ id: '1' }, contexts[0] as LambdaContext), handler({ id: '2' }, contexts[1] as LambdaContext)]);
    const byRequest = (id: string) => (sink.records() as Json[]).filter((r) => r.requestId === id);
    expect(byRequest('a').map((r) => [r.msg, r.id ?? r.order?.id])).toEqual([['loaded in a helper', '1'], ['invocation', '1']]);
    expect(byRequest('b').map((r) => [r.msg, r.id ?? r.order?.id])).toEqual([['loaded in a helper', '2'], ['invocation', '2']]);
    expect(() => getLogger()).toThrow(/outside a handler wrapped with withShiplog/);
  });

  it('is assignable to the @types/aws-lambda Handler type', async () => {
    const typed: Handler<APIGatewayProxyEvent, APIGatewayProxyResult> = withShiplog(
      { sinks: [memorySink()] },
      async (event: APIGatewayProxyEvent, context: Context) => ({ statusCode: 200, body: `${event.path} ${context.functionName}` }),
    );
    const result = await typed(restEvent() as APIGatewayProxyEvent, lambdaContext() as Context, () => {});
    expect(result).toEqual({ statusCode: 200, body: '/orders/42 orders-api' });
  });
});
