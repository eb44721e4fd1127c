import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLogger,
  databaseSink,
  logTableDdl,
  pgAdapter,
  postgresAdapter,
  prismaAdapter,
  type DropReason,
  type LogEvent,
} from '../../../runtimes/node/index.js';
import { PrismaClient } from '../../../fixtures/node/prisma/generated/client.js';
import { startCluster, type Cluster } from './postgres-cluster.js';

let cluster: Cluster;
let pool: pg.Pool;
const poolErrors: Error[] = [];

beforeAll(async () => {
  cluster = await startCluster();
  pool = new pg.Pool({ connectionString: cluster.url, max: 4, connectionTimeoutMillis: 2000 });
  // node-postgres reports idle clients that lose the server here; without a listener it would crash.
  pool.on('error', (error) => poolErrors.push(error));
  for (const table of ['shiplog_events', 'events_pg', 'events_pgjs']) await pool.query(logTableDdl(table));
});
afterAll(async () => {
  await pool?.end();
  cluster?.destroy();
});

const count = async (table: string): Promise<number> => Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

const waitUntil = async (check: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('databaseSink on a real PostgreSQL 15', () => {
  it('database stopped mid-run and restarted: every event not reported dropped is in the table exactly once (pg and postgres.js)', async () => {
    const sql = postgres(cluster.url, { max: 2, connect_timeout: 2, onnotice: () => {} });
    const droppedIds = { pg: new Set<number>(), postgres: new Set<number>() };
    const retry = { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 400 };
    const log = createLogger({
      exit: false,
      onDropped: (events: readonly LogEvent[], _reason: DropReason, sink: string) => {
        for (const event of events) droppedIds[sink as 'pg' | 'postgres'].add((JSON.parse(event.line) as { i: number }).i);
      },
      sinks: [
        databaseSink({ name: 'pg', adapter: pgAdapter({ client: pool, table: 'events_pg' }), delivery: { batchSize: 50, flushIntervalMs: 20, flushTimeoutMs: 2000, retry } }),
        databaseSink({ name: 'postgres', adapter: postgresAdapter({ sql, table: 'events_pgjs' }), delivery: { batchSize: 50, flushIntervalMs: 20, flushTimeoutMs: 2000, retry } }),
      ],
      maxBufferSize: 100_000,
    });
    const total = 1500;
    for (let i = 0; i < total; i++) {
      log.info(i % 7 === 0 ? 'through a restart: \\ "quoted" {x,y} ünïcødé' : 'through a restart', { i, path: 'C:\\tmp\\x', note: "it's, {odd}" });
      if (i === 400) {
        cluster.stop('immediate'); // a crash, mid-run
        const downAt = Date.now();
        // Keep logging while it is down, and let some inserts fail for real.
        await waitUntil(() => (log.stats().sinks.pg?.failures ?? 0) > 0 && (log.stats().sinks.postgres?.failures ?? 0) > 0, 'failed inserts');
        while (Date.now() - downAt < 300) await new Promise((r) => setTimeout(r, 5));
      }
      if (i === 700) cluster.start();
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    const result = await log.flush({ timeoutMs: 20_000 });
    expect(result.pending).toBe(0);
    for (const [sink, table] of [['pg', 'events_pg'], ['postgres', 'events_pgjs']] as const) {
      const stats = log.stats().sinks[sink];
      expect(stats?.failures).toBeGreaterThan(0);
      const rows = (await pool.query<{ i: number; message: string; path: string }>(`SELECT (data->>'i')::int AS i, message, data->>'path' AS path FROM ${table}`)).rows;
      const stored = rows.map((r) => r.i);
      const sample = rows.find((r) => r.i % 7 === 0);
      expect(sample).toMatchObject({ message: 'through a restart: \\ "quoted" {x,y} ünïcødé', path: 'C:\\tmp\\x' });
      // Exactly once: no duplicate rows, even for batches retried around the crash.
      expect(new Set(stored).size).toBe(stored.length);
      const expected = Array.from({ length: total }, (_, i) => i).filter((i) => !droppedIds[sink].has(i));
      expect(stored.sort((a, b) => a - b)).toEqual(expected);
      expect(stats).toMatchObject({ accepted: total, delivered: stored.length, dropped: droppedIds[sink].size, pending: 0 });
    }
    await log.shutdown();
    await sql.end({ timeout: 1 });
  });

  it('an INSERT that times out but commits later is not duplicated by its retry (event ids + ON CONFLICT)', async () => {
    await pool.query(logTableDdl('events_dup'));
    const locker = await pool.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE events_dup IN ACCESS EXCLUSIVE MODE');
    const retry = { maxAttempts: 20, initialDelayMs: 50, maxDelayMs: 50, jitter: false };
    const log = createLogger({
      exit: false,
      sinks: [databaseSink({ adapter: pgAdapter({ client: pool, table: 'events_dup' }), delivery: { batchSize: 10, flushTimeoutMs: 100, retry } })],
    });
    for (let i = 0; i < 10; i++) log.info('ambiguous', { i });
    const flushed = log.flush({ timeoutMs: 15_000 });
    // Two attempts time out on our side while their INSERTs stay queued on the lock, server side.
    await waitUntil(() => (log.stats().sinks.database?.failures ?? 0) >= 2, 'timed-out attempts');
    await locker.query('COMMIT');
    locker.release();
    expect(await flushed).toMatchObject({ ok: true, delivered: 10, dropped: 0 });
    // Let every INSERT that was still waiting on the lock finish before counting.
    const active = async (): Promise<number> =>
      Number((await pool.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'INSERT INTO "events_dup"%'`)).rows[0].n);
    for (let deadline = Date.now() + 10_000; (await active()) > 0; ) {
      if (Date.now() > deadline) throw new Error('INSERTs still running');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await count('events_dup')).toBe(10);
    await log.shutdown();
  });

  it('a flush that outlives its deadline resolves with timedOut: true (the insert waits on a table lock)', async () => {
    const locker = await pool.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE shiplog_events IN ACCESS EXCLUSIVE MODE');
    const log = createLogger({ exit: false, sinks: [databaseSink({ adapter: pgAdapter({ client: pool }), delivery: { flushTimeoutMs: 30_000 } })] });
    log.info('blocked');
    const result = await log.flush({ timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, timedOut: true, pending: 1, delivered: 0 });
    await locker.query('COMMIT');
    locker.release();
    expect(await log.flush({ timeoutMs: 5000 })).toMatchObject({ ok: true, pending: 0, timedOut: false });
    expect(await count('shiplog_events')).toBe(1);
    await log.shutdown();
  });

  it('prisma adapter with a real generated client: createMany, and the transaction-of-creates fallback', async () => {
    await pool.query('TRUNCATE shiplog_events');
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: cluster.url }) });
    // The same client, with only create and $transaction exposed (as on providers without createMany).
    const createOnly = {
      $transaction: prisma.$transaction.bind(prisma),
      shiplogEvent: { create: prisma.shiplogEvent.create.bind(prisma.shiplogEvent) },
    };
    const log = createLogger({
      exit: false,
      service: 'prisma-test',
      sinks: [
        databaseSink({ name: 'many', adapter: prismaAdapter({ client: prisma }), delivery: { batchSize: 25 } }),
        databaseSink({ name: 'creates', adapter: prismaAdapter({ client: createOnly as never }), delivery: { batchSize: 25 } }),
      ],
    });
    for (let i = 0; i < 60; i++) log.info('via prisma', { i });
    expect(await log.flush()).toMatchObject({ ok: true, delivered: 120 });
    // Both sinks write the same events; rows are keyed by eventId, so each event is one row.
    let rows = await prisma.shiplogEvent.findMany({ orderBy: { time: 'asc' } });
    expect(rows).toHaveLength(60);
    expect(rows[0]).toMatchObject({ level: 'info', message: 'via prisma', service: 'prisma-test' });
    expect(rows.filter((r) => (r.data as { i: number }).i === 59)).toHaveLength(1);
    await log.shutdown();
    // The transaction-of-creates fallback alone stores events of its own.
    const createsOnly = createLogger({ exit: false, sinks: [databaseSink({ adapter: prismaAdapter({ client: createOnly as never }), delivery: { batchSize: 25 } })] });
    for (let i = 60; i < 90; i++) createsOnly.info('via creates', { i });
    expect(await createsOnly.shutdown()).toMatchObject({ ok: true, delivered: 30 });
    rows = await prisma.shiplogEvent.findMany({ orderBy: { time: 'asc' } });
    expect(rows).toHaveLength(90);
    await prisma.$disconnect();
  });
});
