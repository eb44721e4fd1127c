import { describe, expect, it } from 'vitest';
import { backoffDelay, createLogger, parseRetryAfter, PIPELINE_DEFAULTS, type LoggerOptions } from '../../src/index.js';
import { memorySink } from '../../src/testing.js';

describe('validation', () => {
  it.each<[string, LoggerOptions, RegExp, ErrorConstructor]>([
    ['level', { level: 'verbose' as never }, /"level" must be one of trace, debug, info, warn, error, fatal; got "verbose"/, RangeError],
    ['level named like an Object.prototype key', { level: 'constructor' as never }, /"level" must be one of/, RangeError],
    ['batch.size', { batch: { size: 0 } }, /"batch\.size" must be an integer >= 1; got 0/, RangeError],
    ['batch.size type', { batch: { size: '5' as never } }, /"batch\.size"/, TypeError],
    ['batch.intervalMs', { batch: { intervalMs: -1 } }, /"batch\.intervalMs"/, RangeError],
    ['retry.maxAttempts', { retry: { maxAttempts: 1.5 } }, /"retry\.maxAttempts"/, RangeError],
    ['retry.backoff', { retry: { backoff: 'random' as never } }, /"retry\.backoff"/, RangeError],
    ['maxBufferSize', { maxBufferSize: -3 }, /"maxBufferSize"/, RangeError],
    ['sinks', { sinks: [{}] as never }, /"sinks\[0\]"/, TypeError],
    ['service', { service: 42 as never }, /"service"/, TypeError],
    ['onDropped', { onDropped: 'x' as never }, /"onDropped"/, TypeError],
    ['sample rate', { sample: { rates: { info: 2 } } }, /"sample\.rates\.info"/, RangeError],
    ['limits', { limits: { maxDepth: 0 } }, /"limits\.maxDepth"/, RangeError],
    ['batch object', { batch: null as never }, /"batch" must be an object/, TypeError],
    ['infinite sendTimeoutMs', { sendTimeoutMs: Number.POSITIVE_INFINITY }, /"sendTimeoutMs" must be a finite number/, RangeError],
    ['NaN retry delay', { retry: { initialDelayMs: Number.NaN } }, /"retry\.initialDelayMs"/, RangeError],
    ['redact', { redact: 'password' as never }, /"redact" must be an array of paths or an object/, TypeError],
    ['redact path list', { redact: ['a.b', 3] as never }, /"redact"/, TypeError],
    ['redact.paths', { redact: { paths: 'a.b' as never } }, /"redact\.paths" must be an array of strings/, TypeError],
    ['redact.censor', { redact: { censor: null as never } }, /"redact\.censor"/, TypeError],
    ['vars', { vars: 'SHIPLOG_LEVEL=debug' as never }, /"vars" must be an object/, TypeError],
    ['sample.random', { sample: { random: 0.5 as never } }, /"sample\.random" must be a function/, TypeError],
  ])('a bad %s throws naming the option', (_, options, message, type) => {
    expect(() => createLogger({ vars: {}, ...options })).toThrow(type);
    expect(() => createLogger({ vars: {}, ...options })).toThrow(message);
  });
});

describe('SHIPLOG_* overrides', () => {
  it('are read from vars when the logger is created and win over code options', async () => {
    const mem = memorySink({ batch: { size: 1000, intervalMs: 0 } });
    const vars: Record<string, string> = { SHIPLOG_LEVEL: 'DEBUG', SHIPLOG_SERVICE: 'from-env', SHIPLOG_MAX_BUFFER: '2000' };
    const log = createLogger({ level: 'error', service: 'from-code', sinks: [mem], vars });
    vars.SHIPLOG_LEVEL = 'fatal'; // later changes do not matter: read once, at creation
    log.debug('d');
    await log.flush();
    expect(mem.records()).toMatchObject([{ level: 'debug', service: 'from-env' }]);
  });

  it('batch overrides reach the pipelines', async () => {
    const sent: number[] = [];
    const log = createLogger({
      vars: { SHIPLOG_BATCH_SIZE: '3', SHIPLOG_FLUSH_INTERVAL_MS: '0' },
      sinks: [{ name: 'count', write: (batch) => void sent.push(batch.length) }],
    });
    for (let i = 0; i < 7; i++) log.info('x');
    await new Promise((resolve) => setTimeout(resolve, 0)); // sent by size, before any flush (which lifts the size)
    await log.flush();
    expect(sent).toEqual([3, 3, 1]);
  });

  it('a malformed variable throws naming it', () => {
    expect(() => createLogger({ vars: { SHIPLOG_BATCH_SIZE: 'ten' } })).toThrow(/SHIPLOG_BATCH_SIZE/);
    expect(() => createLogger({ vars: { SHIPLOG_LEVEL: 'loud' } })).toThrow(/SHIPLOG_LEVEL/);
  });

  it('SHIPLOG_ENDPOINT adds an http sink to the default console sink', () => {
    const log = createLogger({ vars: { SHIPLOG_ENDPOINT: 'http://127.0.0.1:9/ingest' } });
    expect(Object.keys(log.stats().sinks)).toEqual(['console', 'http']);
  });

  it('reads process.env by default', () => {
    process.env.SHIPLOG_LEVEL = 'warn';
    try {
      expect(createLogger({ sinks: [memorySink()] }).level).toBe('warn');
    } finally {
      delete process.env.SHIPLOG_LEVEL;
    }
  });
});

describe('defaults', () => {
  it('follow the documented numbers', () => {
    expect(PIPELINE_DEFAULTS).toMatchObject({
      batch: { size: 50, intervalMs: 5000 },
      retry: { maxAttempts: 3, backoff: 'exponential', initialDelayMs: 1000, maxDelayMs: 30_000, jitter: true },
      maxBufferSize: 1000,
    });
  });
});

describe('backoff', () => {
  const base = { ...PIPELINE_DEFAULTS.retry, jitter: false };
  it('exponential, linear and fixed, capped at maxDelayMs', () => {
    expect([1, 2, 3, 6, 7].map((n) => backoffDelay(n, base))).toEqual([1000, 2000, 4000, 30_000, 30_000]);
    expect([1, 2, 3].map((n) => backoffDelay(n, { ...base, backoff: 'linear' }))).toEqual([1000, 2000, 3000]);
    expect([1, 5].map((n) => backoffDelay(n, { ...base, backoff: 'fixed' }))).toEqual([1000, 1000]);
  });

  it('full jitter draws from [0, delay]', () => {
    expect(backoffDelay(3, { ...base, jitter: true }, () => 0)).toBe(0);
    expect(backoffDelay(3, { ...base, jitter: true }, () => 0.5)).toBe(2000);
  });

  it('parses Retry-After as seconds or an HTTP date, bounded', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('99999999', now)).toBe(300_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
