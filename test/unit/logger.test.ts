import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type LoggerOptions, type Sink } from '../../src/index.js';
import { memorySink } from '../../src/testing.js';

function setup(options: LoggerOptions = {}) {
  const mem = memorySink();
  const log = createLogger({ sinks: [mem], vars: {}, ...options });
  const records = async () => {
    await log.flush();
    return mem.records();
  };
  return { log, mem, records };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('call forms', () => {
  it('(msg, fields), (fields, msg), (fields), (error, msg), (error) and (msg, error)', async () => {
    const { log, records } = setup({ service: 'shop', env: 'test', version: '1.2.3' });
    log.info('order created', { orderId: 1 });
    log.warn({ orderId: 2 }, 'slow');
    log.info({ orderId: 3 });
    log.error(new TypeError('card declined'), 'payment failed');
    log.fatal(new Error('disk gone'));
    log.error('refund failed', new RangeError('amount too large'));
    const out = await records();
    expect(out.map((r) => [r.level, r.msg, r.orderId])).toEqual([
      ['info', 'order created', 1],
      ['warn', 'slow', 2],
      ['info', undefined, 3],
      ['error', 'payment failed', undefined],
      ['fatal', 'disk gone', undefined],
      ['error', 'refund failed', undefined],
    ]);
    expect(out[5]?.error).toMatchObject({ name: 'RangeError', message: 'amount too large' });
    expect(out[0]).toMatchObject({ service: 'shop', env: 'test', version: '1.2.3' });
    expect(out[3]?.error).toMatchObject({ name: 'TypeError', message: 'card declined' });
    expect(new Date(out[0]?.time as string).toISOString()).toBe(out[0]?.time);
  });

  it('a disabled level is a no-op and nothing reaches the pipeline', async () => {
    const { log, records } = setup({ level: 'warn' });
    const fields = { get expensive(): string { throw new Error('must not be read'); } };
    log.debug('hidden', fields);
    log.info('hidden');
    log.warn('shown');
    expect((await records()).map((r) => r.msg)).toEqual(['shown']);
    expect(log.isLevelEnabled('info')).toBe(false);
    expect(log.stats().sinks.memory?.accepted).toBe(1);
  });

  it('user fields cannot spoof level, time or msg', async () => {
    const { log, records } = setup();
    log.info('real', { level: 'fatal', time: 'yesterday', msg: 'fake' });
    const [r] = await records();
    expect(r).toMatchObject({ level: 'info', msg: 'real', _level: 'fatal', _time: 'yesterday', _msg: 'fake' });
  });

  it('never throws into user code, whatever it is given', async () => {
    const throwingSink: Sink = { name: 'bad', write: () => { throw new Error('sink bug'); } };
    const log = createLogger({ sinks: [throwingSink], vars: {}, retry: { maxAttempts: 1 } });
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('trap'); }, get: () => { throw new Error('trap'); } });
    expect(() => {
      log.info(hostile as never);
      log.info('x', hostile as never);
      log.info(undefined as never);
      log.info(null as never, 42 as never);
      log.error(Object.create(null) as never);
      log.child(hostile as never).info('y');
      log.request(hostile as never).emit(hostile as never);
    }).not.toThrow();
    const result = await log.flush();
    expect(result.dropped).toBeGreaterThan(0);
    expect(result.timedOut).toBe(false);
  });

  it('a getter that logs while being serialized does not corrupt the outer event', async () => {
    const { log, records } = setup();
    const tricky = {
      get value() {
        log.info('inner', { nested: true });
        return 'outer-value';
      },
    };
    log.info('outer', { tricky });
    const out = await records();
    expect(out.map((r) => r.msg).sort()).toEqual(['inner', 'outer']);
    expect(out.find((r) => r.msg === 'outer')?.tricky).toEqual({ value: 'outer-value' });
  });
});

describe('child loggers', () => {
  it('bind fields; call fields win over bindings without duplicate keys', async () => {
    const { log, mem, records } = setup({ fields: { region: 'eu' } });
    const child = log.child({ module: 'billing', userId: 1 }).child({ userId: 2 });
    child.info('a');
    child.info('b', { userId: 3 });
    const out = await records();
    expect(out[0]).toMatchObject({ region: 'eu', module: 'billing', userId: 2 });
    expect(out[1]).toMatchObject({ userId: 3 });
    expect(mem.events[1]?.line.match(/"userId"/g)).toHaveLength(1);
  });
});

describe('request logger', () => {
  it('takes the request id from x-request-id, then cf-ray, then traceparent, else generates one', () => {
    const { log } = setup();
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(log.request({ headers: { 'x-request-id': 'rid', 'cf-ray': 'ray', traceparent: tp } }).requestId).toBe('rid');
    expect(log.request(new Request('https://x/', { headers: { 'cf-ray': 'ray-1', traceparent: tp } })).requestId).toBe('ray-1');
    const traced = log.request({ headers: { traceparent: tp } });
    expect([traced.requestId, traced.traceId, traced.spanId]).toEqual(['4bf92f3577b34da6a3ce929d0e0e4736', '4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7']);
    const a = log.request({}).requestId;
    expect(a).toMatch(/^[\da-f-]{32,36}$/);
    expect(log.request().requestId).not.toBe(a);
  });

  it('plain log calls carry the request id; the wide event gathers set() and is emitted once', async () => {
    const { log, records } = setup();
    const req = log.request(new Request('https://shop.example/api/orders?token=secret', { method: 'post', headers: { 'x-request-id': 'r-1' } }), { tenant: 't1' });
    req.info('validating');
    req.set({ user: { id: 7 } }).set({ user: { plan: 'pro' }, cart: { items: 3 } });
    expect(req.emit({ status: 201 })).toBe(true);
    expect(req.emit({ status: 500 })).toBe(false);
    const out = await records();
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ msg: 'validating', requestId: 'r-1', tenant: 't1' });
    expect(out[1]).toMatchObject({
      level: 'info', msg: 'POST /api/orders 201', requestId: 'r-1', method: 'POST', path: '/api/orders', status: 201,
      user: { id: 7, plan: 'pro' }, cart: { items: 3 },
    });
    expect(typeof out[1]?.durationMs).toBe('number');
    expect(JSON.stringify(out)).not.toContain('secret');
    expect(log.stats().duplicateEmits).toBe(1);
  });

  it('a hostile value stored by set() never makes a later clean set() fail', async () => {
    const { log, records } = setup();
    const req = log.request({ method: 'GET', url: 'http://x/a', headers: {} });
    const trap = () => {
      throw new Error('trap');
    };
    req.set({ a: new Proxy({}, { getPrototypeOf: trap }), b: new Proxy({}, { ownKeys: trap }) });
    const before = log.stats().internalErrors;
    req.set({ a: { c: 1 }, b: { d: 2 } });
    expect(log.stats().internalErrors).toBe(before);
    req.emit({ status: 200 });
    const [wide] = await records();
    expect(wide).toMatchObject({ a: { c: 1 }, b: { d: 2 } });
  });

  it('derives the level from status and error, and serializes the error', async () => {
    const { log, records } = setup();
    log.request({ method: 'GET', url: '/a' }).emit({ status: 404 });
    log.request({ method: 'GET', url: '/b' }).emit({ status: 503 });
    log.request({ method: 'GET', url: '/c' }).emit({ error: new RangeError('bad range') });
    const out = await records();
    expect(out.map((r) => r.level)).toEqual(['warn', 'error', 'error']);
    expect(out[2]?.error).toMatchObject({ name: 'RangeError', message: 'bad range' });
  });
});

describe('sampling', () => {
  it('applies head rates per level and counts what it leaves out', async () => {
    let i = 0;
    const { log, records } = setup({ level: 'debug', sample: { rates: { debug: 0.25 }, random: () => (i++ % 4) / 4 } });
    for (let n = 0; n < 8; n++) log.debug('d');
    log.info('i');
    const out = await records();
    expect(out.filter((r) => r.level === 'debug')).toHaveLength(2);
    expect(out.filter((r) => r.level === 'info')).toHaveLength(1);
    expect(log.stats().sampledOut).toBe(6);
  });

  it('keeps wide events with an error, status >= 500 or a slow duration, even at rate 0', async () => {
    vi.useFakeTimers();
    const { log, records } = setup({ sample: { rates: { info: 0, warn: 0, error: 0 }, keepSlowerThanMs: 1000 } });
    log.request({ url: '/ok' }).emit({ status: 200 });
    log.request({ url: '/err' }).emit({ error: new Error('x') });
    log.request({ url: '/5xx' }).emit({ status: 502 });
    const slow = log.request({ url: '/slow' });
    vi.advanceTimersByTime(1500);
    slow.emit({ status: 200 });
    const out = await records();
    expect(out.map((r) => r.path)).toEqual(['/err', '/5xx', '/slow']);
    expect(log.stats().sampledOut).toBe(1);
  });
});

describe('fan-out and flush', () => {
  it('one failing sink never delays or drops another sink’s events', async () => {
    vi.useFakeTimers();
    const good = memorySink({ name: 'good' });
    const hanging: Sink = { name: 'hanging', write: () => new Promise(() => {}), batch: { size: 1, intervalMs: 0 } };
    const log = createLogger({ sinks: [hanging, good], vars: {}, sendTimeoutMs: 60_000 });
    log.info('a');
    log.info('b');
    await vi.advanceTimersByTimeAsync(0);
    expect(good.records().map((r) => r.msg)).toEqual(['a', 'b']);
    const flushing = log.flush({ timeoutMs: 1000 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(await flushing).toEqual({ ok: false, delivered: 0, dropped: 0, unconfirmed: 0, pending: 2, timedOut: true });
    const stats = log.stats().sinks;
    expect(stats.good).toMatchObject({ accepted: 2, delivered: 2 });
    expect(stats.hanging).toMatchObject({ accepted: 2, pending: 2 });
    const closing = log.shutdown({ timeoutMs: 10 });
    await vi.advanceTimersByTimeAsync(10);
    expect(await closing).toMatchObject({ dropped: 2, pending: 0 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('names duplicate sinks uniquely in stats', () => {
    const log = createLogger({ sinks: [memorySink(), memorySink()], vars: {} });
    expect(Object.keys(log.stats().sinks)).toEqual(['memory', 'memory#2']);
  });
});
