/**
 * clickhouseSink against a real ClickHouse server (Debian's 18.16, started by global-setup.ts):
 * 100k events from several loggers land exactly once, wide events are queryable by request id,
 * status and route, a malformed row is final, the documented DDL is what the sink fills.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger, type Logger } from '../../../src/index.js';
import { clickhouseSink, clickhouseTableSql, clickhouseErrorCode, CLICKHOUSE_FINAL_CODES, eventIdOf, toClickHouseRow } from '../../../src/sinks/clickhouse.js';
import { query } from './clickhouse-server.mjs';

const url = inject('clickhouseUrl');
const rows = async <T = Record<string, unknown>>(sql: string): Promise<T[]> =>
  (await query(url, `${sql} FORMAT JSONEachRow`)).split('\n').filter(Boolean).map((line) => JSON.parse(line) as T);

const STATUSES = [200, 201, 404, 500] as const;
const ROUTES = ['/orders/:id', '/cart', '/pay'] as const;
const LOGGERS = 4;
const REQUESTS_PER_LOGGER = 5000;
const EVENTS_PER_REQUEST = 5; // 4 lines + the wide event
const TOTAL = LOGGERS * REQUESTS_PER_LOGGER * EVENTS_PER_REQUEST; // 100_000

describe('100k events from several loggers', () => {
  const table = 'events_100k';
  const loggers: Logger[] = [];

  beforeAll(async () => {
    await query(url, `DROP TABLE IF EXISTS ${table}`);
    await query(url, clickhouseTableSql({ table }));
    for (let l = 0; l < LOGGERS; l++) {
      loggers.push(
        createLogger({
          vars: {},
          service: `svc-${l}`,
          env: 'test',
          maxBufferSize: TOTAL,
          sinks: [clickhouseSink({ url, table, batch: { size: 5000, maxBytes: 8_388_608, intervalMs: 0 }, maxBufferSize: TOTAL })],
        }),
      );
    }
    // Interleaved, as concurrent loggers in one process would be.
    for (let r = 0; r < REQUESTS_PER_LOGGER; r++) {
      for (let l = 0; l < LOGGERS; l++) {
        const id = `req-${l}-${r}`;
        const log = (loggers[l] as Logger).request({ method: 'POST', url: `https://shop.test/orders/${r}`, headers: { 'x-request-id': id } });
        for (let i = 0; i < EVENTS_PER_REQUEST - 1; i++) log.info('step', { seq: `${id}-${i}`, i });
        log.set({ seq: `${id}-wide`, route: ROUTES[r % ROUTES.length], user: { id: r } });
        log.emit({ status: STATUSES[r % STATUSES.length] });
      }
    }
    const results = await Promise.all(loggers.map((log) => log.flush({ timeoutMs: 80_000 })));
    for (const result of results) expect(result).toMatchObject({ ok: true, delivered: TOTAL / LOGGERS, dropped: 0, pending: 0 });
  });

  it('land exactly once: counted by event id, and by each event\'s own sequence key', async () => {
    const [final] = await rows<{ n: string; ids: string; seqs: string }>(
      `SELECT count() AS n, uniqExact(event_id) AS ids, uniqExact(visitParamExtractString(line, 'seq')) AS seqs FROM ${table} FINAL`,
    );
    expect(final).toEqual({ n: String(TOTAL), ids: String(TOTAL), seqs: String(TOTAL) });
    // Without FINAL, a retried insert may show twice until a merge (ClickHouse closes idle
    // keep-alive sockets after 3 s, so a send on a stale one fails and is retried): never fewer.
    const [raw] = await rows<{ n: string }>(`SELECT count() AS n FROM ${table}`);
    expect(Number(raw?.n)).toBeGreaterThanOrEqual(TOTAL);
    for (const log of loggers) expect(log.stats().sinks.clickhouse).toMatchObject({ accepted: TOTAL / LOGGERS, delivered: TOTAL / LOGGERS, dropped: 0, pending: 0 });
  });

  it('a request id returns its lines and its wide event', async () => {
    const found = await rows<{ msg: string; status: number; route: string; method: string; path: string; service: string; level: string }>(
      `SELECT msg, status, route, method, path, service, level FROM ${table} FINAL WHERE request_id = 'req-2-7' ORDER BY time_ms, msg`,
    );
    expect(found).toHaveLength(EVENTS_PER_REQUEST);
    const wide = found.find((row) => row.status !== 0);
    // r = 7: status STATUSES[3] = 500 (level error), route ROUTES[1].
    expect(wide).toEqual({ msg: 'POST /orders/7 500', status: 500, route: '/cart', method: 'POST', path: '/orders/7', service: 'svc-2', level: 'error' });
    expect(found.filter((row) => row.msg === 'step')).toHaveLength(EVENTS_PER_REQUEST - 1);
  });

  it('wide events by status and by route', async () => {
    const byStatus = await rows<{ status: number; n: string }>(`SELECT status, count() AS n FROM ${table} FINAL WHERE status != 0 GROUP BY status ORDER BY status`);
    const perStatus = String((LOGGERS * REQUESTS_PER_LOGGER) / STATUSES.length);
    expect(byStatus).toEqual(STATUSES.map((status) => ({ status, n: perStatus })));
    const byRoute = await rows<{ route: string; n: string; errors: string }>(
      `SELECT route, count() AS n, countIf(level = 'error') AS errors FROM ${table} FINAL WHERE route = '/pay' AND status != 0 GROUP BY route`,
    );
    const payRequests = Array.from({ length: REQUESTS_PER_LOGGER }, (_, r) => r).filter((r) => r % ROUTES.length === 2);
    expect(byRoute).toEqual([
      { route: '/pay', n: String(payRequests.length * LOGGERS), errors: String(payRequests.filter((r) => r % STATUSES.length === 3).length * LOGGERS) },
    ]);
    // The raw line keeps every field: the wide event's nested user id is there.
    const [user] = await rows<{ uid: string }>(`SELECT visitParamExtractRaw(line, 'user') AS uid FROM ${table} FINAL WHERE request_id = 'req-0-42' AND status != 0`);
    expect(user).toEqual({ uid: '{"id":42}' });
  });

  it('the queries in docs/beyond.md run and agree', async () => {
    const docs = readFileSync(new URL('../../../docs/beyond.md', import.meta.url), 'utf8');
    const block = /```sql\n(SELECT[\s\S]*?)```/.exec(docs)?.[1] ?? '';
    const queries = block.split(';').map((q) => q.replace(/--.*$/gm, '').trim()).filter(Boolean);
    expect(queries).toHaveLength(5);
    const results = [];
    for (const sql of queries) results.push(await rows(sql.replaceAll('shiplog_events', table)));
    expect(results[0]).toEqual([{ 'count()': String(TOTAL) }]);
    expect(results[1]).toEqual([{ 'uniqExact(event_id)': String(TOTAL) }]);
    expect(results[2]).toHaveLength((LOGGERS * REQUESTS_PER_LOGGER) / STATUSES.length); // one row per request with 500
    expect(results[4]?.length).toBe(ROUTES.length);
  });

  it('partitions are by day', async () => {
    const parts = await rows<{ partition: string }>(`SELECT DISTINCT partition FROM system.parts WHERE table = '${table}' AND active`);
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    expect(parts.map((p) => p.partition).every((p) => /^\d{8}$/.test(p) && Math.abs(Number(p) - Number(today)) <= 1)).toBe(true);
  });
});

describe('rows', () => {
  it('event id: the line\'s eventId, else event.id, else one that stays the same for the event object', () => {
    const line = '{"level":"info","msg":"m"}';
    expect(eventIdOf({ level: 'info', time: 1, line }, { eventId: 'e-1' })).toBe('e-1');
    expect(eventIdOf({ level: 'info', time: 1, line, id: 'own-1' } as never, {})).toBe('own-1');
    const event = { level: 'info' as const, time: 1, line };
    const first = eventIdOf(event, {});
    expect(eventIdOf(event, {})).toBe(first); // a retry sends the same id
    expect(eventIdOf({ ...event }, {})).not.toBe(first);
  });

  it('maps a wide event; out-of-range numbers become 0 instead of wrapping in a UInt16', () => {
    const line = JSON.stringify({ level: 'error', time: '2026-12-07T12:00:00.123Z', msg: 'GET /x 503', requestId: 'r', method: 'GET', path: '/x/1', route: '/x/:id', status: 503, durationMs: 12.5, error: { name: 'TypeError', message: 'boom' } });
    expect(toClickHouseRow({ level: 'error', time: 0, line }, JSON.parse(line))).toMatchObject({
      time: 1796644800,
      time_ms: 1796644800123,
      request_id: 'r',
      route: '/x/:id',
      path: '/x/1',
      status: 503,
      duration_ms: 12.5,
      error_type: 'TypeError',
      error_message: 'boom',
      line,
    });
    expect(toClickHouseRow({ level: 'info', time: 0, line: '{}' }, { status: 70_000, error: 'plain' })).toMatchObject({ status: 0, error_type: 'Error', error_message: 'plain' });
  });
});

describe('the documented table', () => {
  it('docs/beyond.md shows exactly what clickhouseTableSql() creates; ttlDays adds a TTL', () => {
    const docs = readFileSync(new URL('../../../docs/beyond.md', import.meta.url), 'utf8');
    expect(docs).toContain(`\`\`\`sql\n${clickhouseTableSql()}\n\`\`\``);
    expect(clickhouseTableSql({ table: 'db.t', ttlDays: 30 })).toMatch(/^CREATE TABLE IF NOT EXISTS db\.t \([\s\S]*\nTTL date \+ INTERVAL 30 DAY$/);
  });
});

describe('errors', () => {
  it('a malformed row is final: one attempt, dropped with reason rejected', async () => {
    const table = 'events_malformed';
    await query(url, `DROP TABLE IF EXISTS ${table}`);
    await query(url, `CREATE TABLE ${table} (event_id String, status UInt16) ENGINE = MergeTree() ORDER BY event_id`);
    let attempts = 0;
    const dropped: string[] = [];
    const log = createLogger({
      vars: {},
      retry: { maxAttempts: 5, initialDelayMs: 1, maxDelayMs: 1 },
      onDropped: (_events, reason) => void dropped.push(reason),
      sinks: [
        clickhouseSink({
          url,
          table,
          row: (record) => ({ event_id: 'x', status: record.status }), // a string where ClickHouse wants UInt16
          fetch: (input, init) => (attempts++, fetch(input, init)),
        }),
      ],
    });
    log.info('bad row', { status: 'not a number' });
    expect(await log.flush()).toMatchObject({ ok: false, delivered: 0, dropped: 1 });
    expect(attempts).toBe(1);
    expect(dropped).toEqual(['rejected']);
    const stats = log.stats().sinks.clickhouse;
    expect(stats).toMatchObject({ retries: 0, droppedByReason: { rejected: 1 } });
    expect(stats?.lastError?.message).toMatch(/HTTP 500 \(Code: (26|27)\)/);
    expect(await query(url, `SELECT count() FROM ${table}`)).toBe('0\n');
  });

  it('a missing table is final (404, Code: 60)', async () => {
    const log = createLogger({ vars: {}, retry: { maxAttempts: 5, initialDelayMs: 1, maxDelayMs: 1 }, sinks: [clickhouseSink({ url, table: 'no_such_table' })] });
    log.info('x');
    expect(await log.flush()).toMatchObject({ delivered: 0, dropped: 1 });
    expect(log.stats().sinks.clickhouse).toMatchObject({ retries: 0, droppedByReason: { rejected: 1 } });
  });

  it('classifies by the code in the body, not by the status alone', () => {
    expect(clickhouseErrorCode('Code: 117, e.displayText() = DB::Exception: Unknown field')).toBe(117);
    expect(clickhouseErrorCode('', '27')).toBe(27);
    expect(clickhouseErrorCode('gateway timeout')).toBeUndefined();
    for (const code of [26, 27, 117, 60, 516]) expect(CLICKHOUSE_FINAL_CODES.has(code)).toBe(true);
    for (const code of [241, 252, 159, 210]) expect(CLICKHOUSE_FINAL_CODES.has(code)).toBe(false); // memory, too many parts, timeout, network
  });
});
