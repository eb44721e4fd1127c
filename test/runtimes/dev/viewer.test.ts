/**
 * The viewer in Debian's Chromium (playwright-core): the page loads the stored events, a new
 * event appears live (server-sent events), the filters and request correlation show exactly
 * the matching events (checked by eventId), the health panel shows a sender's drops, and a
 * screenshot is saved to .cache/artifacts/viewer.png.
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startCollector, type TestCollector } from './helpers.js';

const ARTIFACTS = new URL('../../../.cache/artifacts/', import.meta.url).pathname;
let c: TestCollector;
let browser: Browser;
let page: Page;

const now = Date.now();
const at = (secondsAgo: number): string => new Date(now - secondsAgo * 1000).toISOString();
const SEED = [
  { eventId: 's-1', level: 'info', time: at(50), service: 'shop-api', runtime: 'node', msg: 'POST /checkout 201', path: '/checkout', status: 201, durationMs: 42, requestId: 'req-checkout', traceId: 'trace-1', user: { id: 42, plan: 'pro' } },
  { eventId: 's-2', level: 'debug', time: at(49), service: 'shop-api', runtime: 'node', msg: 'charging card', requestId: 'req-checkout', traceId: 'trace-1' },
  { eventId: 's-3', level: 'info', time: at(48), service: 'edge-shop', runtime: 'edge', msg: 'GET /cart 202', path: '/cart', status: 202, requestId: 'req-cart', traceId: 'trace-1' },
  { eventId: 's-4', level: 'error', time: at(40), service: 'orders', runtime: 'lambda', msg: 'GET /orders/9 500', path: '/orders/9', status: 500, requestId: 'req-orders', error: { name: 'TypeError', message: 'boom' } },
  { eventId: 's-5', level: 'warn', time: at(30), service: 'fixture-worker', runtime: 'workers', msg: 'GET /users/7 404', path: '/users/:id', status: 404, requestId: 'req-users', user: { id: 7 } },
  { eventId: 's-6', level: 'info', time: at(20), service: 'browser-demo', runtime: 'browser', msg: 'button clicked', user: { id: 42 } },
];

/** The eventIds of the rows on the page, top to bottom. */
async function rowIds(): Promise<string[]> {
  return page.locator('[data-testid=event]').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.eventId ?? ''));
}

/** Waits until the rows are exactly `expected` (the page reloads asynchronously after a change). */
async function expectRows(expected: string[]): Promise<void> {
  await expect.poll(rowIds, { timeout: 10_000 }).toEqual(expected);
}

/** Waits until the page's live tail is open for the current filters (`part` of its URL). */
async function liveTailOpen(part: string): Promise<void> {
  await expect.poll(() => page.evaluate(() => document.body.dataset.live ?? ''), { timeout: 10_000 }).toContain(part);
}

beforeAll(async () => {
  c = await startCollector();
  await post(`${c.base}/v1/batch`, JSON.stringify(SEED));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(c.url);
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await c?.stop();
});

describe('shiplog dev viewer (Chromium)', () => {
  it('loads with the stored events, newest first', async () => {
    await expectRows(['s-6', 's-5', 's-4', 's-3', 's-2', 's-1']);
    await expect.poll(() => page.locator('[data-testid=summary]').textContent()).toContain('6 events stored');
  });

  it('shows a new event live, without a reload', async () => {
    await liveTailOpen('/api/stream');
    await post(`${c.base}/v1/batch?runtime=node`, JSON.stringify([{ eventId: 'live-1', level: 'info', service: 'shop-api', msg: 'a live one', time: new Date().toISOString() }]));
    await expectRows(['live-1', 's-6', 's-5', 's-4', 's-3', 's-2', 's-1']);
  });

  it('filters by level, runtime, status and field=value, and live events respect the filter', async () => {
    await page.selectOption('[data-testid=filter-level]', 'warn');
    await expectRows(['s-5', 's-4']);
    await page.selectOption('[data-testid=filter-level]', '');
    await expect.poll(() => page.locator('[data-testid=filter-runtime] option').allTextContents()).toContain('lambda');
    await page.selectOption('[data-testid=filter-runtime]', 'lambda');
    await expectRows(['s-4']);
    await page.click('[data-testid=clear]');
    await page.selectOption('[data-testid=filter-status]', '2xx');
    await expectRows(['s-3', 's-1']);
    await page.click('[data-testid=clear]');
    await page.fill('[data-testid=search]', 'user.id=42');
    await expectRows(['s-6', 's-1']);
    await liveTailOpen('q=user.id%3D42');
    await post(`${c.base}/v1/batch`, JSON.stringify([
      { eventId: 'live-2', level: 'info', msg: 'not user 42', user: { id: 41 } },
      { eventId: 'live-3', level: 'info', msg: 'user 42 again', user: { id: 42 } },
    ]));
    await expectRows(['live-3', 's-6', 's-1']);
    await page.fill('[data-testid=search]', 'boom');
    await expectRows(['s-4']);
    await page.click('[data-testid=clear]');
  });

  it('shows every event of a trace or request in one click, and expands a row to its fields', async () => {
    await expectRows(['live-3', 'live-2', 'live-1', 's-6', 's-5', 's-4', 's-3', 's-2', 's-1']);
    await page.locator('[data-event-id="s-1"] [data-testid=correlate]').click();
    await expectRows(['s-3', 's-2', 's-1']); // trace-1: node and edge
    await expect(page.locator('[data-testid=correlation]').textContent()).resolves.toContain('every event of trace trace-1');
    await page.locator('[data-event-id="s-1"] .msg').click();
    const fields = page.locator('[data-event-id="s-1"] [data-testid=fields]');
    await expect(fields.textContent()).resolves.toContain('plan');
    await fields.getByText('all events of this request').click();
    await expectRows(['s-2', 's-1']);
  });

  it('shows senders’ delivery health with dropped counts and reasons, and saves a screenshot', async () => {
    await page.click('[data-testid=clear]');
    await post(`${c.base}/v1/stats`, JSON.stringify({ service: 'fixture-worker', runtime: 'workers', stats: { sinks: { http: { name: 'http', accepted: 120, delivered: 117, dropped: 3, droppedByReason: { overflow: 1, unconfirmed: 2 }, pending: 0 } } } }));
    const sender = page.locator('[data-testid=sender]', { hasText: 'fixture-worker' });
    await expect.poll(() => sender.textContent(), { timeout: 10_000 }).toContain('overflow 1');
    expect(await sender.textContent()).toContain('unconfirmed 2');
    await page.locator('[data-event-id="s-4"] .msg').click();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}viewer.png` });
  });
});
