import { describe, expect, it } from 'vitest';
import { createLogger as createCoreLogger, type LogEvent, type LoggerOptions, type Sink } from '../../src/index.js';
import { createLogger as createBrowserLogger } from '../../runtimes/browser/index.js';

/** A sink that keeps lines; batch size 1 and no timer, so a flush sends each at once. */
function memory(): Sink & { lines: string[] } {
  const lines: string[] = [];
  return { name: 'memory', lines, batch: { size: 1, intervalMs: 0 }, write: (batch: readonly LogEvent[]) => void lines.push(...batch.map((e) => e.line)) };
}

/** The line without its time and id (they differ between two loggers by nature). */
const comparable = (line: string): string => line.replace(/"time":"[^"]+"/, '"time":"T"').replace(/"eventId":"[^"]+"/, '"eventId":"ID"');

/** Runs `calls` on a core logger and on the browser's lean logger (outside a page) and returns both lines. */
async function lines(options: LoggerOptions, calls: (log: ReturnType<typeof createCoreLogger>) => void) {
  const core = memory();
  const lean = memory();
  const a = createCoreLogger({ vars: {}, ...options, sinks: [core] });
  const b = createBrowserLogger({ vars: {}, ...options, sinks: [lean], captureErrors: false, offline: false });
  calls(a);
  calls(b as unknown as ReturnType<typeof createCoreLogger>);
  await a.flush();
  await b.flush();
  return { core: core.lines.map(comparable), lean: lean.lines.map(comparable), raw: lean.lines };
}

describe('the lean browser logger writes the core line format', () => {
  it('every call form, head fields, bindings, children and levels give the same lines', async () => {
    const error = Object.assign(new Error('boom', { cause: new Error('root') }), { code: 'E1' });
    const { core, lean, raw } = await lines({ service: 'web', env: 'prod', version: '1.2.3', level: 'debug', fields: { app: 'shop', password: 'p' } }, (log) => {
      log.info('plain');
      log.info('with fields', { a: 1, token: 't', url: 'https://x.test/?code=1' });
      log.warn({ only: 'fields' });
      log.warn({ fields: 1 }, 'then msg');
      log.error(error);
      log.error(error, 'with message');
      log.error('message first', error);
      log.debug('debug kept');
      log.trace('trace dropped');
      log.info('reserved', { level: 'x', msg: 'y', eventId: 'mine', app: 'overrides binding' });
      log.info('not an object', [1, 2] as never);
      const child = log.child({ requestScope: 'r1', nested: { a: 1 } });
      child.info('from child', { b: 2 });
      child.child({ deeper: true }, { level: 'error' }).warn('filtered by the child level');
      log.fatal('the end');
    });
    expect(lean).toEqual(core);
    expect(lean).toHaveLength(12); // the trace call and the warn under the child's error level write nothing
    for (const line of raw) expect(line).toMatch(/^\{"level":"\w+","time":"[^"]+","eventId":"[\w-]{17,}","service":"web"/);
    const ids = raw.map((line) => (JSON.parse(line) as { eventId: string }).eventId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('eventId: false, limits and redact options are honoured the same way', async () => {
    const { core, lean } = await lines({ eventId: false, limits: { maxStringLength: 10, maxEventBytes: 300 }, redact: ['user.name'] }, (log) => {
      log.info('a long message that will be cut', { user: { name: 'n', id: 1 }, text: 'x'.repeat(50) });
      log.info('m'.repeat(400), { a: 'y'.repeat(200) });
    });
    expect(lean).toEqual(core);
    expect(lean[0]).not.toContain('eventId');
  });

  it('level changes follow the core rules; a bad level throws a TypeError', async () => {
    const sink = memory();
    const log = createBrowserLogger({ sinks: [sink], offline: false, captureErrors: false });
    const child = log.child({ c: 1 });
    const own = log.child({ o: 1 }, { level: 'warn' });
    log.level = 'error';
    expect(child.level).toBe('error');
    expect(own.level).toBe('warn');
    child.level = 'debug';
    expect(log.level).toBe('error');
    expect(log.isLevelEnabled('warn')).toBe(false);
    expect(() => {
      log.level = 'loud' as never;
    }).toThrow(TypeError);
    child.debug('kept');
    log.warn('dropped');
    await log.flush();
    expect(sink.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['kept']);
    expect(log.stats().sinks.memory).toMatchObject({ accepted: 1, delivered: 1, pending: 0, handedOff: 0 });
  });

  it('log calls never throw: hostile fields are contained and counted', async () => {
    const sink = memory();
    const log = createBrowserLogger({ sinks: [sink], offline: false, captureErrors: false });
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('trap'); }, get: () => { throw new Error('trap'); } });
    expect(() => log.info('hostile', hostile)).not.toThrow();
    expect(() => log.child(hostile).info('child of hostile')).not.toThrow();
    expect(await log.flush()).toMatchObject({ ok: true, delivered: 2 });
  });

  it('validates options outside production builds (Node here): a bad value throws naming it', () => {
    expect(() => createBrowserLogger({ batch: { size: 0 } })).toThrow(/batch\.size/);
    expect(() => createBrowserLogger({ levl: 'info' } as never)).toThrow(/did you mean "level"/);
  });

  it('in production (NODE_ENV=production) options are taken unchecked; a bad level falls back to info, a batch size below 1 still sends', async () => {
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      const sink = { ...memory(), batch: undefined };
      const log = createBrowserLogger({ sinks: [sink], level: 'loud' as never, batch: { size: 0, intervalMs: 0 }, levl: 'x' } as never);
      expect(log.level).toBe('info');
      log.info('kept');
      log.debug('below info');
      expect(await log.flush({ timeoutMs: 1000 })).toMatchObject({ ok: true, delivered: 1, timedOut: false });
      expect(sink.lines).toHaveLength(1);
    } finally {
      process.env.NODE_ENV = before;
    }
  });
});
