import { describe, expect, it } from 'vitest';
import { consoleSink, createLogger, httpSink, type LoggerOptions } from '../../src/index.js';
import { closestKey } from '../../src/options.js';
import { otlpSink } from '../../src/sinks/otlp.js';
import { memorySink } from '../../src/testing.js';

const create = (options: Record<string, unknown>) => () => createLogger({ vars: {}, sinks: [memorySink()], ...options } as LoggerOptions);

describe('unknown option keys', () => {
  it('createLogger names the key and suggests the closest valid one', () => {
    expect(create({ levle: 'debug' })).toThrow(new TypeError('shiplog: unknown createLogger option "levle"; did you mean "level"?'));
    expect(create({ servcie: 'api' })).toThrow(/"servcie"; did you mean "service"\?/);
    expect(create({ maxBuffer: 10 })).toThrow(/did you mean "maxBufferSize"\?/);
  });

  it('a key like no valid one lists the valid options instead', () => {
    expect(create({ foo: 1 })).toThrow(/^shiplog: unknown createLogger option "foo"; valid options: service, env, version, level, sinks/);
  });

  it('nested option objects are checked too', () => {
    expect(create({ batch: { sise: 10 } })).toThrow(new TypeError('shiplog: unknown createLogger batch option "sise"; did you mean "size"?'));
    expect(create({ retry: { maxAttempt: 2 } })).toThrow(/createLogger retry option "maxAttempt"; did you mean "maxAttempts"\?/);
    expect(create({ sample: { rates: { warning: 0.5 } } })).toThrow(/createLogger sample.rates option "warning"; did you mean "warn"\?/);
    expect(create({ redact: { path: ['a'] } })).toThrow(/createLogger redact option "path"; did you mean "paths"\?/);
    expect(create({ limits: { maxDepht: 3 } })).toThrow(/did you mean "maxDepth"\?/);
  });

  it('every valid key, including the ones runtime entries add, is accepted', () => {
    expect(create({ service: 's', env: 'e', version: '1', level: 'warn', batch: { size: 1, intervalMs: 0, maxBytes: 10 }, redact: ['a'], fields: {} })).not.toThrow();
    expect(create({ flushTimeoutMs: 10, file: false, exit: false })).not.toThrow();
  });

  it('sinks reject unknown keys, in their batch and retry objects too', () => {
    expect(() => httpSink({ url: 'http://x', timeout: 5 } as never)).toThrow(/unknown httpSink option "timeout"; did you mean "timeoutMs"\?/);
    expect(() => httpSink({ url: 'http://x', retry: { backof: 'fixed' } } as never)).toThrow(/unknown httpSink retry option "backof"; did you mean "backoff"\?/);
    expect(() => otlpSink({ url: 'http://x', resources: {} } as never)).toThrow(/unknown otlpSink option "resources"; did you mean "resource"\?/);
    expect(() => otlpSink({ url: 'http://x', format: 'ndjson' } as never)).toThrow(/unknown otlpSink option "format"/);
    expect(() => consoleSink({ formatter: () => '' } as never)).toThrow(/unknown consoleSink option "formatter"; did you mean "format"\?/);
    expect(() => memorySink({ batch: { size: 1, interval: 5 } } as never)).toThrow(/unknown memorySink batch option "interval"; did you mean "intervalMs"\?/);
  });

  it('closestKey only suggests what is a likely typo', () => {
    expect(closestKey('sevrice', ['service', 'env'])).toBe('service');
    expect(closestKey('ENV', ['service', 'env'])).toBe('env');
    expect(closestKey('rotation', ['dir', 'baseName', 'maxSizeBytes'])).toBeUndefined();
  });
});
