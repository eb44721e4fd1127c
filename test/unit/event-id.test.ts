import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/index.js';
import { EVENT_ID_PREFIX_LENGTH, EventIds, eventIdOf } from '../../src/event-id.js';
import { memorySink } from '../../src/testing.js';

function setup(options: Parameters<typeof createLogger>[0] = {}) {
  const mem = memorySink();
  const log = createLogger({ sinks: [mem], vars: {}, ...options });
  return { log, mem };
}

describe('event ids', () => {
  it('every line carries a unique eventId right after its time, also across loggers', async () => {
    const a = setup({ service: 'shop' });
    const b = setup({ service: 'shop' });
    for (let i = 0; i < 5000; i++) {
      a.log.info('a', { i });
      b.log.child({ c: 1 }).warn('b', { i });
    }
    await Promise.all([a.log.flush(), b.log.flush()]);
    const lines = [...a.mem.events, ...b.mem.events].map((e) => e.line);
    expect(lines).toHaveLength(10_000);
    for (const line of lines) expect(line).toMatch(/^\{"level":"\w+","time":"[^"]+","eventId":"[\w-]{17,}","service":"shop"/);
    const ids = lines.map((line) => (JSON.parse(line) as { eventId: string }).eventId);
    expect(new Set(ids).size).toBe(10_000);
    // One random prefix per logger: the two loggers' ids never share it.
    const prefixes = new Set(ids.map((id) => id.slice(0, EVENT_ID_PREFIX_LENGTH)));
    expect(prefixes.size).toBe(2);
    expect(eventIdOf(a.mem.events[0]!)).toBe(ids[0]);
  });

  it('a user field named eventId is written as _eventId and cannot replace the id', async () => {
    const { log, mem } = setup();
    log.info('spoof', { eventId: 'mine', nested: { eventId: 'deep' } });
    await log.flush();
    const record = JSON.parse(mem.events[0]!.line) as Record<string, unknown>;
    expect(record._eventId).toBe('mine');
    expect(record.eventId).not.toBe('mine');
    expect(eventIdOf(mem.events[0]!)).toBe(record.eventId);
  });

  it('eventId: false leaves the field out (documented opt-out); a nested eventId is not mistaken for it', async () => {
    const { log, mem } = setup({ eventId: false });
    log.info('no id', { nested: { eventId: 'deep' } });
    await log.flush();
    expect(mem.events[0]!.line).toMatch(/^\{"level":"info","time":"[^"]+","msg"/);
    expect(eventIdOf(mem.events[0]!)).toBeUndefined();
    expect(() => createLogger({ vars: {}, eventId: 'no' as unknown as boolean })).toThrow(/eventId/);
  });

  it('where crypto.getRandomValues is refused (Workers global scope) ids still come, and the prefix is drawn again later', () => {
    const spy = vi.spyOn(crypto, 'getRandomValues').mockImplementation(() => {
      throw new Error('Disallowed operation called within global scope');
    });
    const ids = new EventIds();
    const early = [ids.next(), ids.next()];
    spy.mockRestore();
    const late = [ids.next(), ids.next()];
    expect(new Set([...early, ...late]).size).toBe(4);
    expect(late[0]!.slice(0, EVENT_ID_PREFIX_LENGTH)).toBe(late[1]!.slice(0, EVENT_ID_PREFIX_LENGTH));
    for (const id of [...early, ...late]) expect(id).toMatch(/^[\w-]{16}[0-9a-z]+$/);
  });
});
