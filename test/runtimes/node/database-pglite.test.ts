import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  createPipeline,
  databaseSink,
  drizzleAdapter,
  LOG_TABLE_DDL,
  pgAdapter,
  type DropReason,
  type LogEvent,
} from '../../../runtimes/node/index.js';

/** The Drizzle definition of the table `LOG_TABLE_DDL` creates (as shown in the README). */
const shiplogEvents = pgTable('shiplog_events', {
  id: uuid('id').primaryKey(),
  time: timestamp('time', { withTimezone: true, precision: 3 }).notNull(),
  level: text('level').notNull(),
  message: text('message'),
  service: text('service'),
  requestId: text('request_id'),
  data: jsonb('data').notNull(),
});

const fastRetry = { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 };

let db: PGlite;
beforeAll(async () => {
  db = new PGlite();
  await db.exec(LOG_TABLE_DDL);
});
afterAll(() => db.close());
beforeEach(async () => {
  await db.exec('TRUNCATE shiplog_events');
});

interface Row {
  id: string;
  time: Date;
  level: string;
  message: string | null;
  service: string | null;
  request_id: string | null;
  data: Record<string, unknown>;
}
const rows = async (): Promise<Row[]> => (await db.query<Row>('SELECT * FROM shiplog_events ORDER BY time, (data->>\'i\')::int')).rows;

/** PGlite behind a counter of the statements it ran (the database itself is real). */
function counting(client: PGlite): { client: PGlite; inserts: () => number } {
  let inserts = 0;
  const counted = new Proxy(client, {
    get(target, key, receiver) {
      if (key === 'query') {
        return (text: string, values?: unknown[]) => {
          if (text.startsWith('INSERT')) inserts++;
          return target.query(text, values);
        };
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { client: counted, inserts: () => inserts };
}

describe('databaseSink on PGlite', () => {
  it('batch strategy: multi-row INSERTs of batchSize rows, every column filled from the event', async () => {
    const { client, inserts } = counting(db);
    const log = createLogger({
      exit: false,
      service: 'api',
      sinks: [databaseSink({ adapter: pgAdapter({ client }), delivery: { strategy: 'batch', batchSize: 100, flushIntervalMs: 60_000 } })],
    });
    const req = log.request({ method: 'GET', url: 'http://x/users', headers: { 'x-request-id': 'req-1' } });
    for (let i = 0; i < 250; i++) req.info(`event ${i}`, { i, nested: { quote: "it's \"quoted\"; DROP TABLE x" } });
    const result = await log.flush();
    expect(result).toMatchObject({ ok: true, delivered: 250, dropped: 0 });
    expect(inserts()).toBe(3);
    const stored = await rows();
    expect(stored).toHaveLength(250);
    expect(new Set(stored.map((r) => r.id)).size).toBe(250);
    expect(stored[7]).toMatchObject({ level: 'info', message: 'event 7', service: 'api', request_id: 'req-1' });
    expect(stored[7]?.data).toMatchObject({ i: 7, msg: 'event 7', nested: { quote: "it's \"quoted\"; DROP TABLE x" } });
    expect(stored[7]?.time).toBeInstanceOf(Date);
    await log.shutdown();
  });

  it('refuses table names that are not plain identifiers (they are spliced into SQL, values never are)', () => {
    for (const table of ['x; DROP TABLE y', 'a"b', 'a.b.c', '', '1abc']) {
      expect(() => pgAdapter({ client: db, table })).toThrow(TypeError);
    }
    expect(() => pgAdapter({ client: db, table: 'logs.shiplog_events' })).not.toThrow();
  });

  it('immediate strategy: one INSERT per event as soon as it is logged', async () => {
    const { client, inserts } = counting(db);
    const log = createLogger({ exit: false, sinks: [databaseSink({ adapter: pgAdapter({ client }), delivery: { strategy: 'immediate' } })] });
    log.warn('one');
    log.warn('two');
    log.error('three');
    expect(await log.flush()).toMatchObject({ ok: true, delivered: 3 });
    expect(inserts()).toBe(3);
    expect((await rows()).map((r) => [r.level, r.message])).toEqual([
      ['warn', 'one'],
      ['warn', 'two'],
      ['error', 'three'],
    ]);
    await log.shutdown();
  });

  it('a NUL character or a lone surrogate in one event does not fail its whole batch on every retry (pg and drizzle)', async () => {
    const adapters = [pgAdapter({ client: db }), drizzleAdapter({ db: drizzle({ client: db }), table: shiplogEvents })];
    for (const adapter of adapters) {
      await db.exec('TRUNCATE shiplog_events');
      const dropped: DropReason[] = [];
      const log = createLogger({
        exit: false,
        onDropped: (events, reason) => dropped.push(...events.map(() => reason)),
        sinks: [databaseSink({ adapter, delivery: { batchSize: 10, retry: fastRetry } })],
      });
      for (let i = 0; i < 7; i++) log.info('fine', { i });
      log.info('nul\u0000in message', { i: 7 });
      log.info('lone surrogate', { i: 8, text: 'a\ud800b', ['k\u0000ey']: 'x\u0000', nested: { deep: ['\udc00'] } });
      log.info('a real pair stays', { i: 9, emoji: '\ud83d\ude00' });
      expect(await log.flush()).toMatchObject({ ok: true, delivered: 10, dropped: 0 });
      expect(dropped).toEqual([]);
      const stored = await rows();
      expect(stored.map((r) => r.data.i)).toEqual(Array.from({ length: 10 }, (_, i) => i));
      expect(stored[7]?.message).toBe('nul\ufffdin message');
      expect(stored[7]?.data.msg).toBe('nul\ufffdin message');
      expect(stored[8]?.data).toMatchObject({ text: 'a\ufffdb', ['k\ufffdey']: 'x\ufffd', nested: { deep: ['\ufffd'] } });
      expect(stored[9]?.data.emoji).toBe('\ud83d\ude00');
      expect(stored[0]?.data).toMatchObject({ msg: 'fine', i: 0, level: 'info' });
      await log.shutdown();
    }
  });

  it('drizzle adapter: db.insert(table).values(rows)', async () => {
    const log = createLogger({
      exit: false,
      sinks: [databaseSink({ adapter: drizzleAdapter({ db: drizzle({ client: db }), table: shiplogEvents }) })],
    });
    for (let i = 0; i < 30; i++) log.info('via drizzle', { i });
    expect(await log.flush()).toMatchObject({ ok: true, delivered: 30 });
    const stored = await drizzle({ client: db }).select().from(shiplogEvents);
    expect(stored).toHaveLength(30);
    expect(stored.map((r) => (r.data as { i: number }).i).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    await log.shutdown();
  });

  it('a failed insert keeps its batch for retry; nothing sticks once the table is back', async () => {
    const dropped: DropReason[] = [];
    const log = createLogger({
      exit: false,
      onDropped: (events, reason) => dropped.push(...events.map(() => reason)),
      sinks: [databaseSink({ adapter: pgAdapter({ client: db }), delivery: { batchSize: 10, flushIntervalMs: 60_000, retry: { maxAttempts: 20, initialDelayMs: 20, maxDelayMs: 20, jitter: false } } })],
    });
    await db.exec('ALTER TABLE shiplog_events RENAME TO shiplog_events_away');
    for (let i = 0; i < 10; i++) log.info('while away', { i });
    const flushing = log.flush({ timeoutMs: 5000 });
    // Let a few attempts fail for real, then bring the table back.
    while ((log.stats().sinks.database?.failures ?? 0) < 3) await new Promise((r) => setTimeout(r, 5));
    expect(log.stats().sinks.database?.lastError?.message).toMatch(/shiplog_events/);
    await db.exec('ALTER TABLE shiplog_events_away RENAME TO shiplog_events');
    expect(await flushing).toMatchObject({ ok: true, delivered: 10, dropped: 0 });
    expect(dropped).toEqual([]);
    expect(await rows()).toHaveLength(10);
    await log.shutdown();
  });

  it('drops a batch only when retries are exhausted, with reason and count; the next batch goes through', async () => {
    const dropped: { reason: DropReason; events: readonly LogEvent[] }[] = [];
    const log = createLogger({
      exit: false,
      onDropped: (events, reason) => dropped.push({ events, reason }),
      sinks: [databaseSink({ adapter: pgAdapter({ client: db }), delivery: { batchSize: 5, retry: fastRetry } })],
    });
    await db.exec('ALTER TABLE shiplog_events RENAME TO shiplog_events_away');
    for (let i = 0; i < 5; i++) log.info('lost', { i });
    expect(await log.flush()).toMatchObject({ ok: false, delivered: 0, dropped: 5 });
    expect(dropped.map((d) => [d.reason, d.events.length])).toEqual([['retries-exhausted', 5]]);
    expect(log.stats().sinks.database).toMatchObject({ accepted: 5, dropped: 5, failures: 3, retries: 2 });
    await db.exec('ALTER TABLE shiplog_events_away RENAME TO shiplog_events');
    for (let i = 0; i < 5; i++) log.info('kept', { i });
    expect(await log.flush()).toMatchObject({ ok: true, delivered: 5 });
    expect((await rows()).map((r) => r.message)).toEqual(['kept', 'kept', 'kept', 'kept', 'kept']);
    await log.shutdown();
  });

  it('maxQueueSize: when the database cannot keep up, the oldest queued events are dropped and counted', async () => {
    const sink = databaseSink({ adapter: pgAdapter({ client: db }), delivery: { batchSize: 10, maxQueueSize: 50, flushIntervalMs: 60_000, retry: fastRetry } });
    const dropped: { reason: DropReason; count: number }[] = [];
    // The queue bound is the sink's maxBufferSize; createPipeline takes it directly.
    const pipeline = createPipeline({ sink, maxBufferSize: sink.maxBufferSize, onDropped: (events, reason) => dropped.push({ reason, count: events.length }) });
    for (let i = 0; i < 80; i++) {
      pipeline.push({ level: 'info', time: Date.now(), line: JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: 'q', i }) });
    }
    // Pushed synchronously, before any insert could start: 50 fit, the 30 oldest were dropped.
    expect(pipeline.stats()).toMatchObject({ accepted: 80, dropped: 30, pending: 50 });
    expect(dropped).toEqual(Array.from({ length: 30 }, () => ({ reason: 'overflow', count: 1 })));
    expect(await pipeline.flush()).toMatchObject({ delivered: 50, dropped: 0 });
    const stored = (await rows()).map((r) => r.data.i as number).sort((a, b) => a - b);
    expect(stored).toEqual(Array.from({ length: 50 }, (_, i) => 30 + i));
    await pipeline.shutdown();
  });
});
