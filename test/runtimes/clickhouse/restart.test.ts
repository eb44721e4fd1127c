/**
 * The ClickHouse server is stopped in the middle of a run and started again: nothing is lost
 * (every event id is in the table once, counted with FINAL) and nothing is dropped. This test
 * owns its server (the shared one from global-setup.ts must stay up for the other tests).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { clickhouseSink, clickhouseTableSql } from '../../../src/sinks/clickhouse.js';
import { query, startClickHouse, type ClickHouseServer } from './clickhouse-server.mjs';

let server: ClickHouseServer;
beforeAll(async () => {
  server = await startClickHouse();
  await query(server.url, clickhouseTableSql({ table: 'events_restart' }));
});
afterAll(() => server?.dispose());

const TOTAL = 20_000;
const CHUNK = 1000;

/** Resolves once `check()` is true, polling on the event loop (the signal is a counter, not time). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

it('a server stopped mid-run and restarted loses nothing', async () => {
  const dropped: string[] = [];
  const log = createLogger({
    vars: {},
    service: 'restart',
    maxBufferSize: TOTAL,
    // Enough attempts to outlast a stop and start (a few seconds); backoff capped at 250 ms.
    retry: { maxAttempts: 200, backoff: 'exponential', initialDelayMs: 20, maxDelayMs: 250, jitter: true },
    onDropped: (_events, reason) => void dropped.push(reason),
    sinks: [clickhouseSink({ url: server.url, table: 'events_restart', batch: { size: 500, intervalMs: 10 }, maxBufferSize: TOTAL, timeoutMs: 10_000 })],
  });
  const stats = () => log.stats().sinks.clickhouse as { delivered: number; failures: number };
  let logged = 0;
  const logChunk = () => {
    for (let i = 0; i < CHUNK; i++) log.info('tick', { seq: logged++ });
  };

  // Phase 1: the server is up; wait until some batches are confirmed.
  for (let c = 0; c < 5; c++) logChunk();
  await until(() => stats().delivered > 0);
  // Phase 2: stop it while more events arrive (and batches are in flight or failing).
  const stopping = server.stop();
  for (let c = 0; c < 5; c++) logChunk();
  await stopping;
  for (let c = 0; c < 5; c++) logChunk(); // these can only be sent to a stopped server
  await until(() => stats().failures > 0); // at least one send failed against it
  // Phase 3: start it again; the buffered and retried events go through.
  await server.restart();
  for (let c = 0; c < 5; c++) logChunk();
  expect(logged).toBe(TOTAL);
  const result = await log.flush({ timeoutMs: 60_000 });

  expect(result).toMatchObject({ ok: true, dropped: 0, pending: 0 });
  expect(dropped).toEqual([]);
  expect(log.stats().sinks.clickhouse).toMatchObject({ accepted: TOTAL, delivered: TOTAL, dropped: 0 });
  expect(stats().failures).toBeGreaterThan(0);
  const counted = await query(
    server.url,
    "SELECT count(), uniqExact(event_id), uniqExact(visitParamExtractUInt(line, 'seq')), min(visitParamExtractUInt(line, 'seq')), max(visitParamExtractUInt(line, 'seq')) FROM events_restart FINAL FORMAT TSV",
  );
  expect(counted.trim().split('\t')).toEqual([String(TOTAL), String(TOTAL), String(TOTAL), '0', String(TOTAL - 1)]);
});
