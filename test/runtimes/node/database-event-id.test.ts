import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createPipeline, databaseSink, LOG_TABLE_DDL, pgAdapter, type LogEvent } from '../../../runtimes/node/index.js';
import { eventUuid } from '../../../runtimes/node/database-sink.js';
import { memorySink } from '../../../src/testing.js';

let db: PGlite;
beforeAll(async () => {
  db = new PGlite();
  await db.exec(LOG_TABLE_DDL);
});
afterAll(() => db.close());

describe('databaseSink keys rows by eventId', () => {
  it('the row id is derived from the eventId, so the same events re-sent by another pipeline (a replay) land once', async () => {
    const mem = memorySink();
    const log = createLogger({ exit: false, sinks: [mem] });
    for (let i = 0; i < 20; i++) log.info('e', { i });
    await log.flush();
    const events: readonly LogEvent[] = mem.events;
    for (let round = 0; round < 2; round++) {
      // Two independent pipelines (a restart that replays what it had), same lines.
      const pipeline = createPipeline({ sink: databaseSink({ adapter: pgAdapter({ client: db }) }) });
      for (const event of events) pipeline.push(event);
      expect(await pipeline.shutdown()).toMatchObject({ ok: true, delivered: 20 });
    }
    const stored = (await db.query<{ id: string; data: { eventId: string } }>('SELECT id, data FROM shiplog_events')).rows;
    expect(stored).toHaveLength(20);
    for (const row of stored) expect(row.id).toBe(eventUuid(row.data.eventId));
    expect(eventUuid('abc')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await log.shutdown();
  });

  it('without event ids (eventId: false) each event still gets one random key, reused across its retries', async () => {
    await db.exec('TRUNCATE shiplog_events');
    const log = createLogger({ exit: false, eventId: false, sinks: [databaseSink({ adapter: pgAdapter({ client: db }) })] });
    log.info('a');
    log.info('a');
    expect(await log.flush()).toMatchObject({ ok: true, delivered: 2 });
    expect((await db.query('SELECT id FROM shiplog_events')).rows).toHaveLength(2);
    await log.shutdown();
  });
});
