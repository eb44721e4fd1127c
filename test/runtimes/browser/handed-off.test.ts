import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM fixture without types
import { startDemoServer } from '../../../fixtures/browser/server.mjs';
import { assertBuilt, DIST, launchChromium, waitFor } from './harness.js';

type Received = Record<string, unknown> & { seq?: number; prefix?: string; _eventId?: string };
interface Demo {
  url: string;
  received: Received[];
  requests: { mode?: string; status: number }[];
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
const beacons = (): number => demo.requests.filter((r) => r.mode === 'no-cors').length;

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
    const ids = withPrefix('unseen').map((r) => r._eventId);
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
