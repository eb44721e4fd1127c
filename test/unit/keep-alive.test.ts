import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

/**
 * A script whose last act is `await log.flush()` while a batch waits to be retried must not
 * exit mid-flush: the flush deadline keeps the process alive (bounded by timeoutMs).
 */
it('a pending flush keeps a Node process alive until it resolves', () => {
  const script = `
    import { createLogger } from './src/index.ts';
    let calls = 0;
    const sink = { name: 'flaky', write() { calls++; if (calls === 1) throw new TypeError('network down'); } };
    const log = createLogger({ vars: {}, sinks: [sink], retry: { initialDelayMs: 300, jitter: false } });
    log.info('must arrive');
    const result = await log.flush({ timeoutMs: 5000 });
    console.log(JSON.stringify({ calls, result }));
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  expect(run.status).toBe(0);
  expect(JSON.parse(run.stdout.trim())).toEqual({ calls: 2, result: { ok: true, delivered: 1, dropped: 0, unconfirmed: 0, pending: 0, timedOut: false } });
});

/**
 * Without a flush, nothing of the logger keeps Node alive: the batch age timer and the retry
 * sleep are unref'd, so a script that logs and ends exits at once instead of after 30 s.
 */
it('batch and retry timers do not keep a Node process alive', () => {
  const script = `
    import { createLogger } from './src/index.ts';
    let calls = 0;
    const sink = { name: 'down', write() { calls++; throw new TypeError('network down'); } };
    const log = createLogger({ vars: {}, sinks: [sink], batch: { size: 50, intervalMs: 30_000 }, retry: { initialDelayMs: 30_000, jitter: false } });
    for (let i = 0; i < 50; i++) log.info('fills a batch, whose send fails and sleeps before its retry');
    log.info('waits for the batch age timer');
    await new Promise((resolve) => setTimeout(resolve, 50));
    console.log(JSON.stringify({ calls, pending: log.pending }));
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 15_000 });
  expect(run.signal).toBeNull(); // killed at the timeout if a timer held the process
  expect(run.status).toBe(0);
  expect(JSON.parse(run.stdout.trim())).toEqual({ calls: 1, pending: 51 });
});
