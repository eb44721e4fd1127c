import { describe, expect, it } from 'vitest';
import { createLogger, databaseSink, fileSink, readLogFile, registerExitHooks } from '../../../runtimes/node/index.js';
import { tempDir } from './helpers.js';

describe('Node options: unknown keys', () => {
  it('fileSink names the key, suggests the closest valid one, and checks batch and retry', () => {
    const dir = tempDir();
    expect(() => fileSink({ dir, rotation: { size: 10 } } as never)).toThrow(/^shiplog: unknown fileSink option "rotation"; valid options: dir, baseName/);
    expect(() => fileSink({ dir, maxSize: 10 } as never)).toThrow(new TypeError('shiplog: unknown fileSink option "maxSize"; did you mean "maxSizeBytes"?'));
    expect(() => fileSink({ dir, batch: { szie: 10 } } as never)).toThrow(/unknown fileSink batch option "szie"; did you mean "size"\?/);
  });

  it('createLogger checks its own keys, the file and exit objects', () => {
    const dir = tempDir();
    expect(() => createLogger({ dir } as never)).toThrow(/unknown createLogger option "dir"/);
    expect(() => createLogger({ file: { dir, gzp: false } } as never)).toThrow(/unknown fileSink option "gzp"; did you mean "gzip"\?/);
    expect(() => createLogger({ file: false, exit: { signal: ['SIGTERM'] } } as never)).toThrow(/unknown exit option "signal"; did you mean "signals"\?/);
  });

  it('databaseSink, registerExitHooks and readLogFile reject unknown keys', async () => {
    const adapter = { insert: async () => {} };
    expect(() => databaseSink({ adapter, delivery: { batchsize: 5 } } as never)).toThrow(/unknown databaseSink delivery option "batchsize"; did you mean "batchSize"\?/);
    const log = createLogger({ file: false, console: false, exit: false, sinks: [fileSink({ dir: tempDir() })] });
    expect(() => registerExitHooks(log, { uncaught: true } as never)).toThrow(/did you mean "uncaughtException"\?/);
    await expect(readLogFile(tempDir(), { levels: 'warn' } as never).next()).rejects.toThrow(/unknown readLogFile option "levels"; did you mean "level"\?/);
    await log.shutdown();
  });
});
