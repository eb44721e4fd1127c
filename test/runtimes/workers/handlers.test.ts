/**
 * scheduled and queue handlers of the fixture Worker, and a thrown fetch error: wide event
 * recorded, error rethrown unchanged, events still delivered.
 */
import { describe, expect, test } from 'vitest';
import { bundleWorker, fixtureEntry, stopAfterEachTest, testWorker, until, type Ingest, type RunningWorker } from './harness.js';

const { startIngest, startWorker } = stopAfterEachTest();

async function start(entry: string, options: Parameters<typeof startWorker>[1] = {}): Promise<{ w: RunningWorker; ing: Ingest }> {
  const ing = await startIngest();
  const w = await startWorker(await bundleWorker(entry), { ...options, bindings: { SHIPLOG_ENDPOINT: ing.url, RETRY_DELAY_MS: '20' } });
  return { w, ing };
}

describe('scheduled', () => {
  test('wide event with cron and scheduled time, delivered from the invocation', async () => {
    const { w, ing } = await start(fixtureEntry);
    const scheduledTime = new Date('2026-01-02T03:00:00.000Z');
    const result = await (await w.mf.getWorker()).scheduled({ cron: '0 3 * * *', scheduledTime });
    expect(result.outcome).toBe('ok');
    await until(() => ing.events().some((e) => e.trigger === 'scheduled' && e.msg === 'scheduled 0 3 * * *'), 10_000, 'scheduled wide event');
    const wide = ing.events().find((e) => e.msg === 'scheduled 0 3 * * *');
    expect(wide).toMatchObject({ level: 'info', trigger: 'scheduled', cron: '0 3 * * *', scheduledTime: '2026-01-02T03:00:00.000Z', job: 'nightly-cleanup' });
    expect(typeof wide!.durationMs).toBe('number');
    const info = ing.events().find((e) => e.msg === 'cleaning up');
    expect(info?.requestId).toBe(wide!.requestId);
  });

  test('a failing cron: error in the wide event, the invocation fails, events still delivered', async () => {
    const { w, ing } = await start(fixtureEntry);
    const result = await (await w.mf.getWorker()).scheduled({ cron: 'fail', scheduledTime: new Date() });
    expect(result.outcome).toBe('exception');
    await until(() => ing.events().some((e) => e.msg === 'scheduled fail'), 10_000, 'failed scheduled wide event');
    expect(ing.events().find((e) => e.msg === 'scheduled fail')).toMatchObject({
      level: 'error',
      cron: 'fail',
      error: { name: 'Error', message: 'cron failed' },
    });
  });
});

describe('queue', () => {
  test('wide event with queue name, batch size and each message outcome', async () => {
    const { w, ing } = await start(fixtureEntry);
    const timestamp = new Date();
    const result = await (await w.mf.getWorker()).queue('orders', [
      { id: 'm1', timestamp, body: { ok: true }, attempts: 1 },
      { id: 'm2', timestamp, body: { ok: false }, attempts: 1 },
      { id: 'm3', timestamp, body: { ok: true }, attempts: 2 },
    ]);
    expect(result.outcome).toBe('ok');
    expect([...result.explicitAcks].sort()).toEqual(['m1', 'm3']);
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(['m2']);
    await until(() => ing.events().some((e) => e.msg === 'queue orders'), 10_000, 'queue wide event');
    expect(ing.events().find((e) => e.msg === 'queue orders')).toMatchObject({
      level: 'info',
      trigger: 'queue',
      queue: 'orders',
      batchSize: 3,
      messages: {
        acked: 2,
        retried: 1,
        outcomes: [
          { id: 'm1', outcome: 'ack', explicit: true },
          { id: 'm2', outcome: 'retry', explicit: true },
          { id: 'm3', outcome: 'ack', explicit: true },
        ],
      },
    });
    expect(ing.events().find((e) => e.msg === 'batch handled')).toBeDefined();
  });
});

describe('queue handler that throws', () => {
  test('error in the wide event; messages not acked before the throw are retried (implicitly)', async () => {
    const { w, ing } = await start(fixtureEntry);
    const timestamp = new Date();
    const result = await (await w.mf.getWorker()).queue('jobs', [
      { id: 'j1', timestamp, body: { ok: true }, attempts: 1 },
      { id: 'j2', timestamp, body: { crash: true }, attempts: 1 },
      { id: 'j3', timestamp, body: { ok: true }, attempts: 1 },
    ]);
    expect(result.outcome).toBe('exception');
    await until(() => ing.events().some((e) => e.msg === 'queue jobs'), 10_000, 'queue wide event');
    expect(ing.events().find((e) => e.msg === 'queue jobs')).toMatchObject({
      level: 'error',
      queue: 'jobs',
      batchSize: 3,
      error: { message: 'cannot handle j2' },
      messages: {
        acked: 1,
        retried: 2,
        outcomes: [
          { id: 'j1', outcome: 'ack', explicit: true },
          { id: 'j2', outcome: 'retry', explicit: false },
          { id: 'j3', outcome: 'retry', explicit: false },
        ],
      },
    });
  });
});

describe('a thrown fetch error', () => {
  test('status 500 and the error in the wide event, the same error object rethrown, still flushed', async () => {
    const { w, ing } = await start(testWorker('rethrow.ts'));
    const res = await w.mf.dispatchFetch('http://worker.test/x', { headers: { 'x-request-id': 'throw-1' } });
    expect(res.status).toBe(599);
    expect(await res.text()).toBe('same error object');
    await until(() => ing.events().some((e) => e.requestId === 'throw-1'), 10_000, 'the failed request at the ingest');
    expect(ing.events().find((e) => e.requestId === 'throw-1')).toMatchObject({
      level: 'error',
      method: 'GET',
      path: '/x',
      status: 500,
      step: 'before-throw',
      error: { name: 'TypeError', message: 'handler failed' },
    });
    // The console sink wrote it too.
    await until(() => w.records().some((r) => r.requestId === 'throw-1'), 10_000, 'the console line');
  });
});
