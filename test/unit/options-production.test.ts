/**
 * Option checks cost nothing in production: with `NODE_ENV=production` (read at call time) option
 * values and keys are not checked, while `SHIPLOG_*` variables still are; and a bundle built
 * with `process.env.NODE_ENV` defined as 'production' leaves the checks and their tables out.
 */
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { consoleSink, createLogger, type LoggerOptions } from '../../src/index.js';
import { memorySink } from '../../src/testing.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const saved = process.env.NODE_ENV;

afterEach(() => {
  if (saved === undefined) delete process.env.NODE_ENV;
  else process.env.NODE_ENV = saved;
});

describe('NODE_ENV=production', () => {
  it('option keys and values are not checked; the logger works with what it got', async () => {
    process.env.NODE_ENV = 'production';
    const mem = memorySink();
    const log = createLogger({ vars: {}, sinks: [mem], levle: 'debug', service: 'api' } as LoggerOptions);
    expect(() => consoleSink({ formatter: () => '' } as never)).not.toThrow();
    log.info('still logs');
    await log.flush();
    expect(mem.records()).toMatchObject([{ msg: 'still logs', service: 'api' }]);
  });

  it('values no check caught fall back to defaults: an unknown level, counts that are no counts, a NaN timeout', async () => {
    process.env.NODE_ENV = 'production';
    const bad: LoggerOptions[] = [
      { level: 'loud' as never },
      { batch: { size: Number.NaN } },
      { batch: { size: 0, maxBytes: -1 } },
      { maxBufferSize: Number.POSITIVE_INFINITY },
      { retry: { maxAttempts: 0 } },
      { sendTimeoutMs: Number.NaN },
    ];
    for (const options of bad) {
      const mem = memorySink();
      const log = createLogger({ ...options, vars: {}, sinks: [mem] });
      for (let i = 0; i < 60; i++) log.info('event', { i });
      const result = await log.flush({ timeoutMs: 2000 });
      expect({ options, result: result.ok, delivered: mem.records().length }).toEqual({ options, result: true, delivered: 60 });
      expect(log.stats().sinks.memory?.accepted).toBe(60);
    }
  });

  it('the same options throw in development', () => {
    process.env.NODE_ENV = 'development';
    expect(() => createLogger({ vars: {}, sinks: [memorySink()], levle: 'debug' } as LoggerOptions)).toThrow(/did you mean "level"/);
    expect(() => consoleSink({ formatter: () => '' } as never)).toThrow(/did you mean "format"/);
  });

  it('a malformed SHIPLOG_* variable still throws naming it', () => {
    process.env.NODE_ENV = 'production';
    expect(() => createLogger({ vars: { SHIPLOG_LEVEL: 'loud' } })).toThrow(/SHIPLOG_LEVEL/);
    expect(() => createLogger({ vars: { SHIPLOG_BATCH_SIZE: 'ten' } })).toThrow(/SHIPLOG_BATCH_SIZE/);
  });
});

describe('a production bundle', () => {
  const bundle = async (define: Record<string, string>): Promise<string> => {
    const result = await esbuild.build({
      stdin: { contents: `import { createLogger } from './src/index.ts'; export const log = createLogger({ service: 'x' });`, resolveDir: repoRoot, loader: 'ts' },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'neutral',
      write: false,
      logLevel: 'silent',
      define,
    });
    return result.outputFiles[0]!.text;
  };

  it('leaves the option checks out; a development bundle has them', async () => {
    const production = await bundle({ 'process.env.NODE_ENV': '"production"' });
    const development = await bundle({});
    for (const marker of ['did you mean', 'asyncLocalStorage', 'an array of strings or RegExps']) {
      expect(development).toContain(marker);
      expect(production).not.toContain(marker);
    }
    // The variables' rules stay.
    expect(production).toContain('SHIPLOG_LEVEL');
  });
});
