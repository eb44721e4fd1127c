import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { createIngestHandler } from '../../src/ingest.js';
import { RecentIds } from '../../src/ingest/dedupe.js';
import { memorySink } from '../../src/testing.js';

function setup(dedupe?: { maxIds?: number; windowMs?: number } | false) {
  const mem = memorySink();
  const logger = createLogger({ vars: {}, sinks: [mem] });
  const ingest = createIngestHandler({ logger, rateLimit: false, allowedOrigins: ['http://page.example'], ...(dedupe === undefined ? {} : { dedupe }) });
  const post = (events: unknown[], origin?: string) =>
    ingest(
      new Request('http://ingest.local/ingest', {
        method: 'POST',
        headers: { 'content-type': 'text/plain', ...(origin ? { origin } : {}) },
        body: JSON.stringify(events),
      }),
    );
  const stored = async () => {
    await logger.flush();
    return mem.records().map((r) => r._eventId);
  };
  return { ingest, post, stored };
}

const ev = (id: string) => ({ level: 'info', time: Date.now(), msg: 'm', eventId: id });

describe('ingest dedupe by eventId', () => {
  it('a batch sent again (a retry after a late answer) is answered 204 and stored once; duplicates are counted', async () => {
    const { ingest, post, stored } = setup();
    const batch = [ev('a1'), ev('a2'), ev('a3')];
    const first = await post(batch);
    const again = await post([...batch, ev('a4'), ev('a4')]);
    expect([first.status, again.status]).toEqual([204, 204]);
    expect(first.headers.get('x-shiplog-dedupe')).toBe('eventId');
    expect(await stored()).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(ingest.stats()).toMatchObject({ acceptedEvents: 4, duplicateEvents: 4, invalidEvents: 0 });
    // Only duplicates: still "accepted", not 400.
    expect((await post([ev('a1')])).status).toBe(204);
  });

  it('a cross-origin page may read the header; events without an id are never taken for duplicates', async () => {
    const { post, stored } = setup();
    const response = await post([{ level: 'info', msg: 'x' }], 'http://page.example');
    expect(response.headers.get('access-control-expose-headers')).toBe('x-shiplog-dedupe');
    await post([{ level: 'info', msg: 'x' }]);
    expect(await stored()).toEqual([undefined, undefined]);
  });

  it('dedupe: false stores every copy and does not claim to dedupe', async () => {
    const { post, stored } = setup(false);
    const response = await post([ev('b')]);
    await post([ev('b')]);
    expect(response.headers.get('x-shiplog-dedupe')).toBeNull();
    expect(await stored()).toEqual(['b', 'b']);
  });

  it('the window is bounded by count and age (oldest forgotten first)', () => {
    const recent = new RecentIds({ maxIds: 3, windowMs: 1000 });
    for (const id of ['a', 'b', 'c', 'd']) expect(recent.isDuplicate(id, 0)).toBe(false);
    expect(recent.size).toBe(3);
    expect(recent.isDuplicate('a', 1)).toBe(false); // forgotten: beyond maxIds
    expect(recent.isDuplicate('d', 2)).toBe(true);
    expect(recent.isDuplicate('d', 1000)).toBe(false); // forgotten: older than windowMs
    expect(recent.isDuplicate('x'.repeat(200), 3)).toBe(false);
    expect(recent.isDuplicate('x'.repeat(200), 3)).toBe(false);
    expect(recent.isDuplicate(42, 3)).toBe(false);
  });
});
