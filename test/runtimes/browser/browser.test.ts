import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM fixture without types
import { startDemoServer } from '../../../fixtures/browser/server.mjs';
import { assertBuilt, DIST, launchChromium, recordFetches, waitFor } from './harness.js';

type Received = Record<string, unknown> & { msg?: string; seq?: number; prefix?: string; level: string };
interface Demo {
  url: string;
  received: Received[];
  requests: { mode?: string; contentType?: string; status: number }[];
  state: { ingestStatus: number };
  close(): Promise<void>;
}

let browser: Browser;
let demo: Demo;
let context: BrowserContext;

beforeAll(async () => {
  assertBuilt();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  demo = await startDemoServer({ dist: DIST });
  context = await browser.newContext();
  await recordFetches(context);
});
afterEach(async () => {
  await context?.close();
  await demo?.close();
});

async function open(query: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${demo.url}/?${query}`);
  await page.waitForFunction(() => 'shiplog' in globalThis);
  return page;
}

const withPrefix = (prefix: string): Received[] => demo.received.filter((r) => r.prefix === prefix);
const seqs = (records: Received[]): number[] => records.map((r) => r.seq as number).sort((a, b) => a - b);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const beacons = (): number => demo.requests.filter((r) => r.mode === 'no-cors').length;

describe('browser runtime in Chromium', () => {
  it('batches events and delivers them with fetch keepalive while the page is visible', async () => {
    const page = await open('size=10&interval=0');
    await page.evaluate(() => (globalThis as any).logMany(25, 'visible'));
    await waitFor(() => withPrefix('visible').length >= 19, undefined, 'two full batches (page loaded + 19)');
    const result = await page.evaluate(() => (globalThis as any).shiplog.flush());
    expect(result).toMatchObject({ ok: true, timedOut: false, dropped: 0 });
    await waitFor(() => withPrefix('visible').length >= 25, undefined, 'the flushed rest');
    expect(seqs(withPrefix('visible'))).toEqual(range(25));

    const fetches = (await page.evaluate(() => (globalThis as any).__fetches)) as { keepalive: boolean; bytes: number }[];
    expect(fetches.length).toBe(3); // 26 events (page loaded + 25) in batches of 10, 10, 6
    expect(fetches.every((f) => f.keepalive && f.bytes > 0 && f.bytes < 60_000)).toBe(true);
    expect(demo.requests.every((r) => r.mode === 'cors' && r.status === 204)).toBe(true);

    const event = withPrefix('visible')[0] as Received;
    expect(event).toMatchObject({ level: 'info', source: 'browser', service: 'ingest-demo', clientIp: '127.0.0.1' });
    expect(event.pageUrl).toBe(`${demo.url}/`);
    expect(String(event.userAgent)).toMatch(/Chrome/);
    expect(event.session).toMatch(/^[\da-f-]{32,36}$/);
    expect(event._userAgent).toBeUndefined(); // same as the header: not duplicated
    const stats = await page.evaluate(() => (globalThis as any).shiplog.stats());
    expect(stats.sinks.browser).toMatchObject({ accepted: 26, delivered: 26, dropped: 0, pending: 0 });
  });

  it('sends what is buffered by beacon when the page closes, each event once', async () => {
    const page = await open('size=100&interval=60000');
    await page.evaluate(() => (globalThis as any).logMany(20, 'closing'));
    expect(withPrefix('closing')).toHaveLength(0);
    await page.close();
    await waitFor(() => withPrefix('closing').length >= 20, undefined, 'the beacon');
    await new Promise((resolve) => setTimeout(resolve, 200)); // a duplicate would arrive within this window
    expect(seqs(withPrefix('closing'))).toEqual(range(20));
    expect(beacons()).toBe(1);
    expect(demo.requests.filter((r) => r.mode === 'no-cors').every((r) => r.contentType === 'text/plain;charset=UTF-8' && r.status === 204)).toBe(true);
    expect(demo.received.filter((r) => r.msg === 'page loaded')).toHaveLength(1);
  });

  it('splits more than 64 KB buffered at hide into several beacons within the quota; the rest arrives on the next load', async () => {
    const page = await open('size=1000&bytes=10000000&interval=0');
    await page.evaluate(() => (globalThis as any).logMany(120, 'big', 1000)); // ~130 KB
    await page.close();
    await waitFor(() => beacons() >= 2, undefined, 'beacons');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const byBeacon = withPrefix('big').length;
    expect(byBeacon).toBeGreaterThan(40);
    expect(byBeacon).toBeLessThan(120); // the browser's 64 KB keepalive quota cannot carry all of it

    const next = await open('size=1000&interval=0&load=2');
    await waitFor(() => withPrefix('big').length >= 120, undefined, 'the stored rest');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seqs(withPrefix('big'))).toEqual(range(120)); // all of them, none twice
    const stats = await next.evaluate(() => (globalThis as any).shiplog.stats());
    expect(stats.offline).toMatchObject({ restored: 120 - byBeacon, dropped: 0 });
  });

  it('keeps events in localStorage while ingest is down and delivers them after a reload', async () => {
    demo.state.ingestStatus = 503;
    const page = await open('size=5&interval=0&attempts=10&delay=500');
    await page.evaluate(() => (globalThis as any).logMany(12, 'offline'));
    await waitFor(() => demo.requests.some((r) => r.status === 503), undefined, 'a failed send');
    demo.state.ingestStatus = 0;
    await page.reload(); // hides the page mid-retry: events go to localStorage, not to a beacon
    await page.waitForFunction(() => 'shiplog' in globalThis);
    await waitFor(() => withPrefix('offline').length >= 12, undefined, 'delivery after reload');
    const pageLoads = () => demo.received.filter((r) => r.msg === 'page loaded').length;
    // With interval=0 and size=5 the second page's own 'page loaded' may wait for a fifth event; flush it.
    await page.evaluate(() => (globalThis as any).shiplog.flush());
    await waitFor(() => pageLoads() >= 2, undefined, "both pages' load events");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seqs(withPrefix('offline'))).toEqual(range(12));
    expect(pageLoads()).toBe(2);
    expect(beacons()).toBe(0);
  });

  it('keeps a batch that ran out of retries and sends it on the next load', async () => {
    demo.state.ingestStatus = 503;
    const page = await open('size=5&interval=0&attempts=2&delay=10');
    await page.evaluate(() => (globalThis as any).logMany(4, 'exhausted')); // + page loaded = one batch of 5
    await page.waitForFunction(() => (globalThis as any).shiplog.stats().offline.stored >= 5, null);
    const stats = await page.evaluate(() => (globalThis as any).shiplog.stats());
    expect(stats.sinks.browser.droppedByReason['retries-exhausted']).toBe(5);
    expect(stats.sinks.browser.retries).toBe(1);
    demo.state.ingestStatus = 0;
    await page.reload();
    await waitFor(() => withPrefix('exhausted').length >= 4, undefined, 'delivery after reload');
    expect(seqs(withPrefix('exhausted'))).toEqual(range(4));
    expect(demo.received.filter((r) => r.msg === 'page loaded')).toHaveLength(1); // the first page's, restored
  });

  it('logs an uncaught error and an unhandled rejection as error events', async () => {
    const page = await open('size=50&interval=0');
    await page.click('#throw');
    await page.click('#reject');
    await page.waitForFunction(() => (globalThis as any).shiplog.pending >= 3); // page loaded + 2 errors
    await page.evaluate(() => (globalThis as any).shiplog.flush());
    await waitFor(() => demo.received.filter((r) => r.level === 'error').length >= 2, undefined, 'error events');
    const errors = demo.received.filter((r) => r.level === 'error');
    const uncaught = errors.find((r) => r.kind === 'uncaught-error') as Received & { error: { message: string; stack: string } };
    const rejection = errors.find((r) => r.kind === 'unhandled-rejection') as Received & { error: { message: string } };
    expect(uncaught.msg).toBe('Uncaught Error: demo uncaught error');
    expect(uncaught.error.message).toBe('demo uncaught error');
    expect(uncaught.error.stack).toMatch(/app\.js/);
    expect(rejection.msg).toBe('Unhandled rejection: Error: demo unhandled rejection');
    expect(rejection.error.message).toBe('demo unhandled rejection');
  });
});

describe('handed off is not delivered (Chromium)', () => {
  it('tab closed during an outage the page had not seen: reopened after it, every event arrives, none twice', async () => {
    const page = await open('size=1000&interval=0');
    // One confirmed send: the page learns that this ingest dedupes by eventId.
    expect(await page.evaluate(() => (globalThis as any).shiplog.flush())).toMatchObject({ ok: true, delivered: 1 });
    demo.state.ingestStatus = 503; // the outage starts; the page has not seen it
    await page.evaluate(() => (globalThis as any).logMany(30, 'unseen'));
    const before = await page.evaluate(() => (globalThis as any).shiplog.stats());
    expect(before.sinks.browser.delivered).toBe(1);
    await page.close(); // the beacon is swallowed by the outage
    await waitFor(() => beacons() >= 1, undefined, 'the beacon');
    expect(withPrefix('unseen')).toHaveLength(0);

    demo.state.ingestStatus = 0; // the outage ends; the user comes back
    const next = await open('size=1000&interval=0&load=2');
    await next.evaluate(() => (globalThis as any).shiplog.flush());
    await waitFor(() => withPrefix('unseen').length >= 30, undefined, 'the handed-off events, sent again');
    await new Promise((resolve) => setTimeout(resolve, 200)); // a duplicate would arrive within this window
    const ids = withPrefix('unseen').map((r) => r._eventId as string);
    expect(new Set(ids).size).toBe(30);
    expect(withPrefix('unseen').map((r) => r.seq).sort((a, b) => (a as number) - (b as number))).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const stats = await next.evaluate(() => (globalThis as any).shiplog.stats());
    expect(stats.offline.handedOffResent).toBeGreaterThanOrEqual(30);
  });

  it('no outage: the beacon arrives, the next load sends the same events again and the ingest drops them (each stored once)', async () => {
    const page = await open('size=1000&interval=0');
    await page.evaluate(() => (globalThis as any).shiplog.flush());
    await page.evaluate(() => (globalThis as any).logMany(10, 'seen'));
    // The closing page counted them handed off, not delivered.
    const closing = await page.evaluate(() => {
      const log = (globalThis as any).shiplog;
      document.dispatchEvent(new Event('visibilitychange'));
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
      return log.stats().sinks.browser;
    });
    expect(closing).toMatchObject({ delivered: 1, handedOff: 10, pending: 0 });
    expect(closing.accepted).toBe(closing.delivered + closing.dropped + closing.pending + closing.handedOff);
    await waitFor(() => withPrefix('seen').length >= 10, undefined, 'the beacon');
    await page.close();
    const next = await open('size=1000&interval=0&load=2');
    await next.evaluate(() => (globalThis as any).shiplog.flush());
    await waitFor(async () => ((await (await fetch(`${demo.url}/__stats`)).json()) as { ingest: { duplicateEvents: number } }).ingest.duplicateEvents >= 10, undefined, 'the re-sent copies, dropped by the ingest');
    expect(withPrefix('seen')).toHaveLength(10);
  });
});
