/**
 * Response-streaming and callback-style handlers under the freeze harness. The harness's
 * runtime defines a stand-in `awslambda` global (streamifyResponse, HttpResponseStream) as the
 * Lambda Node.js runtime does, calls a marked handler as `(event, responseStream, context)`, and
 * freezes once its promise settled and its stream finished; a callback-style handler freezes at
 * its callback. Every event must have been answered by the ingest server before that instant.
 */
import { describe, expect, it, vi } from 'vitest';
// @ts-expect-error plain ESM fixtures without type declarations
import { functionUrlEvent, restEvent } from '../../../fixtures/lambda/events.mjs';
import { deliveredBeforeFreeze, ingest, sandbox, wideEventOf, type Json } from './freeze-helpers.js';

describe('response streaming (awslambda.streamifyResponse)', () => {
  it('the client gets the stream first; the wide event is written after the stream ended and delivered before the freeze', async () => {
    const server = await ingest({ delayMs: 40 }); // a send the wrapper did not await would still be unanswered
    const box = await sandbox('streamer', { INGEST_URL: server.url });
    const settled = await box.invoke(functionUrlEvent({ reportId: 'r-7' }));

    expect(box.isFrozen()).toBe(true);
    expect(settled.ok).toBe(true);
    const streamed = settled.result?.streamed as Json;
    expect(streamed.body).toBe('one two three');
    expect(streamed.prelude).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain' } });
    expect(streamed.contentType).toBe('application/vnd.awslambda.http-integration-response');

    const events = deliveredBeforeFreeze(server, settled);
    expect(events.map((e) => e.msg)).toEqual(['chunk written', 'chunk written', 'chunk written', 'stream ended', 'GET /health 200']);
    const wide = wideEventOf(events) as Json;
    expect(wide).toMatchObject({ status: 200, stream: { ended: true }, report: { id: 'r-7' }, lambda: { trigger: 'function-url', coldStart: true } });
    // Written after the runtime saw the stream finish, and sent only then.
    expect(Date.parse(wide.time)).toBeGreaterThanOrEqual(streamed.endedAt);
    const wideBatch = server.batches.find((b) => b.events.includes(wide));
    expect(wideBatch!.receivedAt).toBeGreaterThanOrEqual(streamed.endedAt);
  });

  it('a handler that throws mid-stream: error in the wide event, rethrown unchanged, delivered before the freeze', async () => {
    const server = await ingest({ delayMs: 40 });
    const box = await sandbox('streamBoom', { INGEST_URL: server.url });
    const settled = await box.invoke(functionUrlEvent());

    expect(settled.ok).toBe(false);
    expect(settled.sameError).toBe(true);
    const events = deliveredBeforeFreeze(server, settled);
    expect(events.map((e) => e.msg)).toEqual(['about to fail mid-stream', 'GET /health']);
    expect(wideEventOf(events)).toMatchObject({ level: 'error', error: { name: 'RangeError', message: 'stream broke' } });
  });

  it('warm streaming invocations each deliver before their own freeze', async () => {
    const server = await ingest();
    const box = await sandbox('streamer', { INGEST_URL: server.url });
    const first = await box.invoke(functionUrlEvent({ reportId: 'a' }));
    box.thaw();
    const second = await box.invoke(functionUrlEvent({ reportId: 'b' }));
    expect(wideEventOf(deliveredBeforeFreeze(server, first))).toMatchObject({ report: { id: 'a' }, lambda: { coldStart: true } });
    expect(wideEventOf(deliveredBeforeFreeze(server, second))).toMatchObject({ report: { id: 'b' }, lambda: { coldStart: false } });
  });
});

describe('callback-style handlers (event, context, callback)', () => {
  it('the wrapper flushes before it calls back: everything was at the ingest server when the sandbox froze at the callback', async () => {
    const server = await ingest({ delayMs: 40 });
    const box = await sandbox('callbackApi', { INGEST_URL: server.url });
    const settled = await box.invoke(restEvent());

    expect(box.isFrozen()).toBe(true);
    expect(settled.ok).toBe(true);
    expect(settled.result).toEqual({ statusCode: 202, body: 'queued' });
    const events = deliveredBeforeFreeze(server, settled);
    expect(events.map((e) => e.msg)).toEqual(['callback handler ran', 'GET /orders/42 202']);
    expect(wideEventOf(events)).toMatchObject({ status: 202, order: { id: '42' }, lambda: { coldStart: true, trigger: 'api-gateway-rest' } });
  });

  it('callback(error): the same error reaches Lambda after the failed wide event was delivered', async () => {
    const server = await ingest({ delayMs: 40 });
    const box = await sandbox('callbackFail', { INGEST_URL: server.url });
    const settled = await box.invoke({ n: 1 });

    expect(settled.ok).toBe(false);
    expect(settled.sameError).toBe(true);
    const events = deliveredBeforeFreeze(server, settled);
    expect(events.map((e) => e.msg)).toEqual(['callback handler failing', 'invocation']);
    expect(events[1]).toMatchObject({ level: 'error', error: { message: 'callback failure' } });
  });

  it('control: a callback handler without the wrapper has delivered nothing when the sandbox freezes at its callback', async () => {
    const server = await ingest();
    const box = await sandbox('callbackNoFlush', { INGEST_URL: server.url });
    const settled = await box.invoke({ n: 1 });
    expect(settled.ok).toBe(true);
    expect(box.isFrozen()).toBe(true);
    expect(server.batches.filter((b) => b.respondedAt <= settled.settledAt)).toHaveLength(0);
  });
});

describe('outside Lambda (no awslambda global), in-process', () => {
  it('withShiplogStream is the plain (event, responseStream, context) function and still waits for the stream to finish', async () => {
    const { PassThrough } = await import('node:stream');
    const { withShiplogStream } = await import('../../../runtimes/lambda/index.js');
    const { memorySink } = await import('../../../src/testing.js');
    expect((globalThis as { awslambda?: unknown }).awslambda).toBeUndefined();
    const sink = memorySink();
    const handler = withShiplogStream({ sinks: [sink] }, async (_event, stream: InstanceType<typeof PassThrough>, _context, log) => {
      stream.write(Buffer.alloc(100_000)); // more than the PassThrough holds: it cannot finish before it is read
      stream.end(); // ended but not yet finished when the handler resolves
      log.info('handler done');
    });
    expect((handler as unknown as Record<symbol, unknown>)[Symbol.for('aws.lambda.runtime.handler.streaming')]).toBeUndefined();
    const stream = new PassThrough();
    let finishedAt = 0;
    stream.on('finish', () => (finishedAt = Date.now()));
    const invocation = handler({}, stream, { awsRequestId: 'local-1', getRemainingTimeInMillis: () => 10_000 });
    setTimeout(() => stream.resume(), 50); // the reader drains it later: then it finishes
    await invocation;
    const wideEvent = sink.records().find((r) => r.lambda !== undefined) as Json;
    expect(wideEvent).toMatchObject({ requestId: 'local-1', msg: 'invocation', stream: { ended: true } });
    expect(finishedAt).toBeGreaterThan(0);
    expect(Date.parse(wideEvent.time)).toBeGreaterThanOrEqual(finishedAt);
  });
});

describe('withShiplogCallback in-process', () => {
  it('returns nothing (Lambda then waits for the callback), calls back once with the result after the wide event, ignores a second callback', async () => {
    const { withShiplogCallback } = await import('../../../runtimes/lambda/index.js');
    const { memorySink } = await import('../../../src/testing.js');
    const sink = memorySink();
    const handler = withShiplogCallback({ sinks: [sink] }, (_event, _context, callback, log) => {
      log.info('answering twice');
      callback(null, { statusCode: 201 });
      callback(null, { statusCode: 500 });
    });
    const calls: unknown[][] = [];
    let wideAtCallback: Json | undefined;
    const returned = handler({ httpMethod: 'POST', path: '/x' }, { awsRequestId: 'cb-1', getRemainingTimeInMillis: () => 10_000 }, (...args) => {
      calls.push(args);
      wideAtCallback = sink.records().find((r) => r.lambda !== undefined) as Json | undefined;
    });
    expect(returned).toBeUndefined();
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(calls).toEqual([[null, { statusCode: 201 }]]);
    expect(wideAtCallback).toMatchObject({ requestId: 'cb-1', status: 201 });
  });
});
