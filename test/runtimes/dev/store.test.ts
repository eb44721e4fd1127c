/**
 * The embedded store's bounds and queries on real segment files: retention deletes the oldest
 * segment past maxEvents, a restart rebuilds the index (and dedupe) from the files, the dedupe
 * window forgets the oldest ids, pages follow `next` with no event missing or repeated, and
 * the `shiplog dev` command says when its port is taken (no stack trace).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { parseQuery } from '../../../runtimes/node/dev/query.js';
import { EventStore } from '../../../runtimes/node/dev/store.js';
import { startCollector, wideEvent } from './helpers.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shiplog-dev-store-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const q = (params: string) => parseQuery(new URLSearchParams(params));
const ids = (store: EventStore, params: string, limit = 500): string[] => store.query(q(params), { limit }).events.map((e) => String(e.eventId));

describe('EventStore', () => {
  it('keeps at most maxEvents (plus one segment) and deletes the oldest segment files', () => {
    const dir = tempDir();
    const store = new EventStore({ dir, maxEvents: 1000, segmentBytes: 16 * 1024 });
    for (let batch = 0; batch < 50; batch++) store.insert(Array.from({ length: 100 }, (_, k) => wideEvent(batch * 100 + k)));
    const { events, segments } = store.stats();
    expect(events).toBeGreaterThanOrEqual(1000);
    expect(events).toBeLessThan(1000 + 200); // a segment holds well under 200 of these events
    expect(readdirSync(dir).length).toBe(segments);
    const kept = store.query(q(''), { limit: 500 }).events;
    expect(kept[0]?.eventId).toBe('e-4999'); // the newest survive
    expect(ids(store, 'q=e-10')).toEqual([]); // the oldest are gone
    store.close();
  });

  it('rebuilds its index and dedupe from the files after a restart', () => {
    const dir = tempDir();
    const first = new EventStore({ dir });
    first.insert([wideEvent(1, { level: 'error', status: 500, path: '/pay' }), wideEvent(2)]);
    first.close();
    const second = new EventStore({ dir });
    expect(second.stats().events).toBe(2);
    expect(second.insert([wideEvent(1), wideEvent(3)])).toEqual({ stored: 1, duplicates: 1, invalid: 0 });
    expect(ids(second, 'level=error&status=5xx&route=%2Fpay')).toEqual(['e-1']);
    second.close();
  });

  it('remembers the last dedupeWindow ids (memory bounded), forgetting the oldest', () => {
    const store = new EventStore({ dir: tempDir(), dedupeWindow: 10 });
    store.insert(Array.from({ length: 20 }, (_, n) => wideEvent(n)));
    expect(store.insert([wideEvent(19)]).duplicates).toBe(1);
    expect(store.insert([wideEvent(0)]).stored).toBe(1); // outside the window: stored again
    store.close();
  });

  it('filters by level, service, runtime, route, status, time, field=value and text, and pages without gaps', () => {
    const store = new EventStore({ dir: tempDir() });
    const base = Date.parse('2026-01-01T00:00:00Z');
    store.insert(
      Array.from({ length: 1200 }, (_, n) =>
        wideEvent(n, {
          time: new Date(base + n * 1000).toISOString(),
          level: n % 10 === 0 ? 'error' : 'info',
          service: n % 2 === 0 ? 'a' : 'b',
          runtime: n % 3 === 0 ? 'edge' : 'node',
          path: `/r/${n % 4}`,
          status: n % 10 === 0 ? 503 : 200,
          user: { id: n % 7 },
          msg: n === 777 ? 'the "rare" one' : `event ${n}`,
          requestId: n === 1005 ? 5 : `r-${n}`,
          traceId: `t-${n % 10}`,
        }),
      ),
    );
    const all = (params: string): string[] => {
      const out: string[] = [];
      let before: number | undefined;
      do {
        const page = store.query(q(params), { limit: 100, before });
        out.push(...page.events.map((e) => String(e.eventId)));
        before = page.next;
      } while (before !== undefined);
      return out;
    };
    const expected = (keep: (n: number) => boolean): string[] => Array.from({ length: 1200 }, (_, n) => 1199 - n).filter(keep).map((n) => `e-${n}`);
    expect(all('')).toEqual(expected(() => true));
    expect(all('level=error')).toEqual(expected((n) => n % 10 === 0));
    expect(all('service=a&runtime=edge')).toEqual(expected((n) => n % 2 === 0 && n % 3 === 0));
    expect(all('route=%2Fr%2F1&status=2xx')).toEqual(expected((n) => n % 4 === 1 && n % 10 !== 0));
    expect(all('status=503')).toEqual(expected((n) => n % 10 === 0));
    expect(all('q=user.id%3D3')).toEqual(expected((n) => n % 7 === 3));
    expect(all('q=user.id%3D3%20service%3Db')).toEqual(expected((n) => n % 7 === 3 && n % 2 === 1));
    expect(all(`q=${encodeURIComponent('"rare"')}`)).toEqual(['e-777']);
    expect(all('q=rare')).toEqual(['e-777']);
    const since = new Date(base + 100_000).toISOString();
    const until = new Date(base + 109_000).toISOString();
    expect(all(`since=${since}&until=${until}`)).toEqual(expected((n) => n >= 100 && n <= 109));
    expect(all('service=nope')).toEqual([]);
    expect(all('q=requestId%3Dr-5')).toEqual(['e-5']); // hashed column, confirmed on the line
    expect(all('q=requestId%3D5')).toEqual(['e-1005']); // a numeric id
    expect(all('q=traceId%3Dt-0%20level%3Derror')).toEqual(expected((n) => n % 10 === 0));
    expect(all('q=traceId%3Dt-1%20level%3Derror')).toEqual([]);
    store.close();
  });
});

describe('shiplog dev (the CLI command)', () => {
  it('says the port is taken and uses another, with no stack trace', async () => {
    const taken = await startCollector();
    const dir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'runtimes/node/cli.ts', 'dev', '--port', String(taken.port), '--dir', dir], {
      cwd: new URL('../../..', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const lines: string[] = [];
    for await (const line of createInterface({ input: child.stdout })) {
      lines.push(line);
      if (line.includes('viewer at')) break;
    }
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await taken.stop();
    expect(lines[0]).toMatch(new RegExp(`^shiplog dev: port ${taken.port} is taken; using \\d+ instead$`));
    expect(lines[1]).toMatch(/^shiplog dev: viewer at http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
