import { describe, expect, it } from 'vitest';
import { createLogger, type Level } from '../../src/index.js';
import { memorySink } from '../../src/testing.js';

function setup(level?: Level) {
  const mem = memorySink();
  const log = createLogger({ sinks: [mem], vars: {}, ...(level === undefined ? {} : { level }) });
  const written = async (): Promise<string[]> => {
    await log.flush();
    return mem.records().map((r) => String(r.msg));
  };
  return { log, written };
}

describe('runtime level', () => {
  it('log.level = … changes what the logger and its followers write, from the next call', async () => {
    const { log, written } = setup();
    const child = log.child({ module: 'billing' });
    const req = log.request({ method: 'GET', url: '/x', headers: {} });
    log.debug('before');
    log.level = 'debug';
    expect(log.level).toBe('debug');
    expect(child.level).toBe('debug');
    log.debug('root');
    child.debug('child made before');
    req.debug('request made before');
    log.child({}).debug('child made after');
    log.level = 'error';
    log.warn('dropped by level');
    child.warn('dropped by level');
    child.error('kept');
    expect(await written()).toEqual(['root', 'child made before', 'request made before', 'child made after', 'kept']);
  });

  it('child(fields, { level }) has a level of its own, inherited by its children', async () => {
    const { log, written } = setup('warn');
    const verbose = log.child({ module: 'db' }, { level: 'trace' });
    const quiet = log.child({ module: 'http' }, { level: 'fatal' });
    verbose.trace('verbose trace');
    verbose.child({ table: 'orders' }).debug('grandchild debug');
    verbose.request().debug('request debug');
    quiet.error('quiet error');
    log.info('root info');
    log.level = 'info'; // the root's change does not reach children with their own level
    log.info('root info after');
    quiet.error('quiet error after');
    expect(verbose.isLevelEnabled('trace')).toBe(true);
    expect(quiet.isLevelEnabled('error')).toBe(false);
    expect(await written()).toEqual(['verbose trace', 'grandchild debug', 'request debug', 'root info after']);
  });

  it('setting the level of a following child detaches it from the parent', async () => {
    const { log, written } = setup('info');
    const child = log.child({});
    child.level = 'debug';
    child.debug('child debug');
    log.debug('root debug');
    log.level = 'error';
    child.info('child still at debug');
    expect(log.level).toBe('error');
    expect(await written()).toEqual(['child debug', 'child still at debug']);
  });

  it('the wide event honours the request logger level', async () => {
    const { log, written } = setup('info');
    const req = log.request({ method: 'GET', url: '/health', headers: {} });
    log.level = 'warn';
    req.emit({ status: 200 }); // info: below warn
    log.level = 'info';
    const second = log.request({ method: 'GET', url: '/orders', headers: {} });
    second.emit({ status: 200 });
    expect(await written()).toEqual(['GET /orders 200']);
  });

  it('a value that is not a level throws a TypeError naming the levels', () => {
    const { log } = setup();
    expect(() => {
      log.level = 'verbose' as Level;
    }).toThrow(/level must be one of trace, debug, info, warn, error, fatal; got "verbose"/);
    expect(() => log.child({}, { level: 'loud' as Level })).toThrow(TypeError);
    expect(log.level).toBe('info');
  });
});

describe('typed wide events', () => {
  interface Checkout {
    user: { id: number; plan: 'free' | 'pro' };
    cart: { items: number; skus: string[] };
  }

  it('request<T>() gathers parts of T with set(), merged deeply', async () => {
    const mem = memorySink();
    const log = createLogger({ sinks: [mem], vars: {} });
    const req = log.request<Checkout>({ method: 'POST', url: '/checkout', headers: {} });
    req.set({ user: { id: 7 } });
    req.set({ user: { plan: 'pro' }, cart: { items: 2, skus: ['a', 'b'] } });
    // @ts-expect-error: items is a number in Checkout
    req.set({ cart: { items: 'two' } });
    // @ts-expect-error: not a key of Checkout
    req.set({ coupon: 'X' });
    req.emit({ status: 201 });
    await log.flush();
    const [wide] = mem.records();
    expect(wide?.user).toEqual({ id: 7, plan: 'pro' });
    // set() never throws, and the type is a compile-time check only: the wrong value still lands.
    expect(wide?.cart).toEqual({ items: 'two', skus: ['a', 'b'] });
  });
});
