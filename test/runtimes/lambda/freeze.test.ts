/**
 * The freeze harness: each handler runs in a child process that is SIGSTOPped the instant its
 * promise settles, as Lambda freezes a sandbox. An event counts as delivered only if the local
 * ingest server had *answered* its batch before that instant (the handler cannot have seen an
 * answer that came later), so a wrapper that merely starts sending before returning fails.
 */
import { describe, expect, it } from 'vitest';
import { deadIngestUrl } from '../../ingest-server.js';
// @ts-expect-error plain ESM fixtures without type declarations
import { functionUrlEvent, restEvent, httpApiEvent } from '../../../fixtures/lambda/events.mjs';
import { TRACE, deliveredBeforeFreeze, ingest, sandbox, wideEventOf, type Json, type Settled } from './freeze-helpers.js';

describe('Lambda freeze harness', () => {
  it('success: every event of the invocation was at the ingest server before the freeze', async () => {
    const server = await ingest({ delayMs: 40 }); // a send the wrapper did not await would still be unanswered
    const box = await sandbox('api', { INGEST_URL: server.url });
    const settled = await box.invoke(restEvent(), { traceHeader: TRACE });

    expect(box.isFrozen()).toBe(true);
    expect(settled.ok).toBe(true);
    expect(settled.result).toEqual({ statusCode: 201, body: JSON.stringify({ requestId: settled.requestId }) });
    const events = deliveredBeforeFreeze(server, settled);
    expect(events.map((e) => e.msg)).toEqual(['loading order', 'order loaded', 'GET /orders/42 201']);
    for (const event of events) {
      expect(event).toMatchObject({ requestId: settled.requestId, xrayTraceId: '1-5759e988-bd862e3fe1be46a994272793', service: 'orders' });
    }
    expect(wideEventOf(events)).toMatchObject({
      level: 'info',
      method: 'GET',
      path: '/orders/42',
      status: 201,
      lambda: { function: 'orders-api', version: '7', memoryMb: 512, coldStart: true, trigger: 'api-gateway-rest' },
      http: { route: '/orders/{id}', ip: '203.0.113.9', userAgent: 'curl/8.5.0', gatewayRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' },
      order: { id: '42' },
      user: { id: 'alice' },
    });
    // The default console sink wrote the same events to stdout (what Lambda ships to CloudWatch), as bare JSON lines.
    expect(box.stdoutEvents().filter((e) => e.requestId === settled.requestId).map((e) => e.msg)).toEqual(events.map((e) => e.msg));
  });

  it('thrown error: logged, rethrown unchanged, and delivered before the freeze', async () => {
    const server = await ingest({ delayMs: 40 });
    const box = await sandbox('boom', { INGEST_URL: server.url });
    const settled = await box.invoke(httpApiEvent(), { traceHeader: TRACE });

    expect(settled.ok).toBe(false);
    expect(settled.error).toEqual({ name: 'TypeError', message: 'boom' });
    expect(settled.sameError).toBe(true);
    const events = deliveredBeforeFreeze(server, settled);
    expect(events.map((e) => e.msg)).toEqual(['about to fail', 'POST /orders/42']);
    expect(wideEventOf(events)).toMatchObject({
      level: 'error',
      error: { name: 'TypeError', message: 'boom' },
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      lambda: { trigger: 'api-gateway-http', coldStart: true },
      http: { route: 'POST /orders/{id}', ip: '198.51.100.7' },
    });
  });

  it('close to the deadline: a handler still running when the timeout warning fires finishes, then still delivers everything in time', async () => {
    const server = await ingest({ delayMs: 40 });
    // The warning fires 2 s (+ the 100 ms margin) before the 4 s deadline, at 1.9 s; the handler ends
    // at about 2.3 s, which leaves its flush about 1.6 s: margins a loaded machine does not break.
    const box = await sandbox('api', { INGEST_URL: server.url, TIMEOUT_WARNING_MS: '2000' });
    await box.invoke(restEvent());
    box.thaw();
    const settled = await box.invoke(restEvent({ body: 'slow', queryStringParameters: { sleepMs: '2300' } }), { timeoutMs: 4000 });

    expect(settled.timedOut).toBe(false);
    expect(settled.elapsedMs).toBeLessThan(4000);
    // The warning went out first, in case Lambda killed the sandbox; the handler then finished
    // and its flush fit before the deadline.
    const events = deliveredBeforeFreeze(server, settled);
    expect(events.map((e) => e.msg)).toEqual(['loading order', 'invocation about to time out', 'order loaded', 'GET /orders/42 201']);
    expect(events[1]).toMatchObject({ level: 'warn', order: { id: '42' } });
  });

  it('past the deadline: the timeout warning reaches the ingest server before Lambda kills the sandbox', async () => {
    const server = await ingest();
    const box = await sandbox('hang', { INGEST_URL: server.url });
    const outcome = await box.invoke({ jobId: 'j-9' }, { timeoutMs: 1200 });

    expect(outcome.timedOut).toBe(true);
    const events = server.events().filter((e) => e.requestId === outcome.requestId);
    expect(events.map((e) => e.msg)).toEqual(['started work that will never finish', 'invocation about to time out']);
    const warning = events[1] as Json;
    expect(warning).toMatchObject({ level: 'warn', job: { id: 'j-9' }, lambda: { coldStart: true } });
    expect(warning.remainingMs).toBeGreaterThan(0);
    expect(warning.remainingMs).toBeLessThanOrEqual(400);
  });

  it('warm invocations in one sandbox: cold start only first, no field leaks, each delivered before its freeze', async () => {
    const server = await ingest({ delayMs: 20 });
    const box = await sandbox('warm', { INGEST_URL: server.url });
    const invocations = [
      { n: 1, set: { user: { id: 'alice', plan: 'pro' } }, bind: { tenant: 'acme' } },
      { n: 2, set: { cart: { items: 2 } } },
      { n: 3 },
    ];
    const settles: Settled[] = [];
    for (const event of invocations) {
      if (settles.length > 0) box.thaw();
      settles.push(await box.invoke(event));
    }
    expect(new Set(settles.map((s) => s.requestId)).size).toBe(3);
    const perInvocation = settles.map((settled) => deliveredBeforeFreeze(server, settled));
    for (const events of perInvocation) expect(events).toHaveLength(2); // the 'work' line and the wide event

    const wides = perInvocation.map((events) => wideEventOf(events) as Json);
    expect(wides.map((w) => w.lambda.coldStart)).toEqual([true, false, false]);
    expect(wides[0]).toMatchObject({ user: { id: 'alice', plan: 'pro' } });
    expect(wides[1]).toMatchObject({ cart: { items: 2 } });
    expect(wides[1]).not.toHaveProperty('user');
    expect(wides[2]).not.toHaveProperty('user');
    expect(wides[2]).not.toHaveProperty('cart');
    const work = perInvocation.map((events) => events.find((e) => e.msg === 'work') as Json);
    expect(work[0]).toMatchObject({ tenant: 'acme', n: 1 });
    expect(work[1]).not.toHaveProperty('tenant');
    expect(work[2]).not.toHaveProperty('tenant');
  });

  it('ingest slow: the flush stops at the remaining time, the loss is reported, and the next warm invocation delivers it', async () => {
    const server = await ingest({ delayMs: 1800 });
    const box = await sandbox('api', { INGEST_URL: server.url });
    const first = await box.invoke(restEvent(), { timeoutMs: 1000 });

    expect(first.timedOut).toBe(false); // settled before Lambda's deadline despite the slow ingest
    expect(first.elapsedMs).toBeLessThan(1000);
    expect(first.result).toMatchObject({ statusCode: 201 }); // the flush did not change the result
    expect(deliveredBeforeFreeze(server, first)).toEqual([]);
    const report = box.stderrEvents().find((e) => e.requestId === first.requestId) as Json;
    expect(report).toMatchObject({ level: 'warn', flush: { timedOut: true, pending: 3 }, sinks: [{ name: 'http', pending: 3 }] });

    // Thawed, the sandbox finishes the send it had started; the next flush waits for it.
    server.behaviour = { delayMs: 0 };
    box.thaw();
    const second = await box.invoke(restEvent(), { timeoutMs: 3000 });
    expect(deliveredBeforeFreeze(server, first)).toHaveLength(0);
    const firstEvents = server.batches.filter((b) => b.respondedAt <= second.settledAt).flatMap((b) => b.events).filter((e) => e.requestId === first.requestId);
    expect(firstEvents).toHaveLength(3);
    expect(deliveredBeforeFreeze(server, second)).toHaveLength(3);
  });

  it('ingest hung in one invocation: its send is aborted at the deadline, later invocations take their normal time, nothing is lost or doubled', async () => {
    const FLUSH_MS = 1000;
    const server = await ingest();
    const box = await sandbox('api', { INGEST_URL: server.url, FLUSH_TIMEOUT_MS: String(FLUSH_MS) });
    const settles: Settled[] = [];
    const invoke = async (): Promise<Settled> => {
      if (settles.length > 0) box.thaw();
      const settled = await box.invoke(restEvent(), { timeoutMs: 10_000 });
      settles.push(settled);
      return settled;
    };
    const healthy = await invoke();
    expect(deliveredBeforeFreeze(server, healthy)).toHaveLength(3);

    server.behaviour = { hang: true }; // no answer, connection kept open
    const hung = await invoke();
    expect(hung.ok).toBe(true);
    expect(server.hung).toBe(1);
    expect(hung.elapsedMs).toBeGreaterThanOrEqual(FLUSH_MS - 50); // it waited for its deadline, no longer
    expect(deliveredBeforeFreeze(server, hung)).toEqual([]);
    const report = box.stderrEvents().find((e) => e.requestId === hung.requestId) as Json;
    expect(report).toMatchObject({ flush: { timedOut: true, pending: 3, dropped: 0 }, sinks: [{ name: 'http', pending: 3 }] });

    server.behaviour = { hang: false };
    const after = [await invoke(), await invoke(), await invoke()];
    // The hung connection was closed by the client at the deadline, not carried into the next invocations.
    expect(server.abandoned).toBe(1);
    for (const settled of after) {
      expect(settled.ok).toBe(true);
      // A send still waiting on the hung connection would hold each of these until its 1 s deadline.
      expect(settled.elapsedMs).toBeLessThan(FLUSH_MS);
      expect(box.stderrEvents().find((e) => e.requestId === settled.requestId)).toBeUndefined(); // no incomplete flush
    }
    // Everything of the hung invocation arrived by the next healthy flush.
    const byNextFreeze = server.batches.filter((b) => b.respondedAt <= (after[0] as Settled).settledAt).flatMap((b) => b.events);
    expect(byNextFreeze.filter((e) => e.requestId === hung.requestId).map((e) => e.msg)).toEqual(['loading order', 'order loaded', 'GET /orders/42 201']);
    // Counted by content at the receiver: every event of every invocation exactly once.
    const received = server.events().map((e) => `${e.requestId} ${e.msg}`);
    const expected = settles.flatMap((s) => ['loading order', 'order loaded', 'GET /orders/42 201'].map((msg) => `${s.requestId} ${msg}`));
    expect([...received].sort()).toEqual([...expected].sort());
    console.info(`lambda hung-ingest timings (ms): healthy ${healthy.elapsedMs}, hung ${hung.elapsedMs}, after ${after.map((s) => s.elapsedMs).join(', ')}`);
  });

  it('ingest down: retries end inside the budget and every lost event is counted with its reason', async () => {
    const url = await deadIngestUrl();
    const box = await sandbox('api', { INGEST_URL: url });
    const settled = await box.invoke(restEvent(), { timeoutMs: 3000 });

    expect(settled.ok).toBe(true);
    expect(settled.result).toMatchObject({ statusCode: 201 });
    expect(settled.elapsedMs).toBeLessThan(3000);
    const report = box.stderrEvents().find((e) => e.requestId === settled.requestId) as Json;
    expect(report).toMatchObject({
      flush: { dropped: 3, pending: 0 },
      sinks: [{ name: 'http', pending: 0, droppedByReason: { 'retries-exhausted': 3 } }],
    });
    expect(report.sinks[0].lastError).toMatch(/fetch failed|ECONNREFUSED/);
    // The console sink still wrote every event: stdout is the channel of last resort.
    expect(box.stdoutEvents().filter((e) => e.requestId === settled.requestId)).toHaveLength(3);
  });

  it('debug events are held per invocation and written only when it fails', async () => {
    const server = await ingest();
    const box = await sandbox('debugOnFailure', { INGEST_URL: server.url });
    const ok = await box.invoke(restEvent());
    box.thaw();
    const failed = await box.invoke(restEvent({ fail: true }));

    expect(deliveredBeforeFreeze(server, ok).map((e) => e.msg)).toEqual(['handled', 'GET /orders/42 200']);
    expect(failed.sameError).toBe(true);
    const events = deliveredBeforeFreeze(server, failed);
    expect(events.map((e) => [e.level, e.msg])).toEqual([
      ['info', 'handled'],
      ['debug', 'cache miss'],
      ['debug', 'query plan'],
      ['error', 'GET /orders/42'],
    ]);
  });

  it('the CommonJS build (dist/lambda.cjs) delivers before the freeze too', async () => {
    const server = await ingest({ delayMs: 40 });
    const box = await sandbox('handler', { INGEST_URL: server.url }, new URL('../../../fixtures/lambda/handler.cjs', import.meta.url).pathname);
    const settled = await box.invoke(functionUrlEvent());
    expect(settled.result).toEqual({ statusCode: 204 });
    expect(deliveredBeforeFreeze(server, settled).map((e) => e.msg)).toEqual(['cjs handler ran', 'GET /health 204']);
  });

  it('control: the same logging without the wrapper loses events at the freeze (the harness can fail)', async () => {
    const server = await ingest();
    const box = await sandbox('noFlush', { INGEST_URL: server.url });
    const settled = await box.invoke({ n: 1 });

    expect(settled.ok).toBe(true);
    expect(box.isFrozen()).toBe(true);
    const atFreeze = server.batches.filter((b) => b.respondedAt <= settled.settledAt).flatMap((b) => b.events);
    expect(atFreeze).toHaveLength(0); // three events were logged; none had arrived

    // They existed: thawed, the logger's 1 s batch timer sends them, long after the freeze.
    box.thaw();
    const deadline = Date.now() + 10_000;
    while (server.events().length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(server.events().map((e) => e.msg)).toEqual(['one', 'two', 'GET /orders/1 200']);
    expect(Math.min(...server.batches.map((b) => b.receivedAt))).toBeGreaterThan(settled.settledAt);
  });
});
