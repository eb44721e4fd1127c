import { join } from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM fixture without types
import { startDemoServer } from '../../../fixtures/browser/server.mjs';
import { assertBuilt, DIST, launchChromium, waitFor } from './harness.js';

type Received = Record<string, unknown> & { msg?: string; seq?: number; prefix?: string };
interface Demo {
  url: string;
  received: Received[];
  requests: { method: string; mode?: string; contentType?: string; key?: string; authorization?: string; status: number }[];
  state: { ingestStatus: number };
  close(): Promise<void>;
}

let browser: Browser;
let demo: Demo | undefined;
let context: BrowserContext | undefined;

beforeAll(async () => {
  assertBuilt();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await context?.close();
  await demo?.close();
});

async function start(ingest: Record<string, unknown> | ((url: string) => Record<string, unknown>) = {}): Promise<Demo> {
  demo = (await startDemoServer({ dist: DIST, ingest })) as Demo;
  context = await browser.newContext();
  return demo;
}

/**
 * Opens a blank page and builds a logger there from the library bundle (`/shiplog.js`), with
 * `setup` run first (e.g. to take sendBeacon away). The logger is `globalThis.log`.
 */
async function pageWithLogger(options: string, setup = '', origin = (demo as Demo).url): Promise<Page> {
  const page = await (context as BrowserContext).newPage();
  await page.goto(`${origin}/blank`);
  await page.evaluate(`(async () => {
    ${setup}
    const { createLogger } = await import('/shiplog.js');
    globalThis.log = createLogger(${options});
    globalThis.logMany = (n, prefix, pad = 0) => { for (let i = 0; i < n; i++) log.info(prefix + ' ' + i, { seq: i, prefix, pad: 'x'.repeat(pad) }); };
  })()`);
  return page;
}

const withPrefix = (prefix: string): Received[] => (demo as Demo).received.filter((r) => r.prefix === prefix);
const seqs = (records: Received[]): number[] => records.map((r) => r.seq as number).sort((a, b) => a - b);
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 200)); // a duplicate would show up by then

describe('browser sink details in Chromium', () => {
  it('sends the public key in the URL for fetch and beacon, and headers with fetch only', async () => {
    const server = await start({ publicKeys: ['pk_demo'] });
    const page = await pageWithLogger(`{ endpoint: '/ingest', publicKey: 'pk_demo', headers: { authorization: 'Bearer t0k' }, batch: { size: 2, intervalMs: 0 } }`);
    await page.evaluate(() => (globalThis as any).logMany(3, 'auth'));
    await waitFor(() => withPrefix('auth').length >= 2, undefined, 'the fetch batch');
    await page.close();
    await waitFor(() => withPrefix('auth').length >= 3, undefined, 'the beacon');
    const [viaFetch, viaBeacon] = server.requests;
    expect(viaFetch).toMatchObject({ mode: 'cors', key: 'pk_demo', authorization: 'Bearer t0k', contentType: 'application/json', status: 204 });
    expect(viaBeacon).toMatchObject({ mode: 'no-cors', key: 'pk_demo', authorization: undefined, status: 204 });
    expect(server.requests).toHaveLength(2);
  });

  it('ships cross-origin to an endpoint that allows the page: simple requests, preflight only with headers', async () => {
    const server = await start((url) => ({ allowedOrigins: [url.replace('127.0.0.1', 'localhost')] }));
    const pageOrigin = server.url.replace('127.0.0.1', 'localhost');
    const page = await pageWithLogger(`{ endpoint: '${server.url}/ingest', batch: { size: 2, intervalMs: 0 } }`, '', pageOrigin);
    await page.evaluate(() => (globalThis as any).logMany(2, 'cross'));
    await waitFor(() => withPrefix('cross').length >= 2, undefined, 'the simple request');
    expect(server.requests.map((r) => r.method)).toEqual(['POST']); // text/plain, no custom header: no preflight
    await page.evaluate(`(async () => {
      const { createLogger } = await import('/shiplog.js');
      globalThis.authed = createLogger({ endpoint: '${server.url}/ingest', headers: { authorization: 'Bearer t0k' }, batch: { size: 1, intervalMs: 0 } });
      authed.info('with auth', { prefix: 'cross-auth', seq: 0 });
    })()`);
    await waitFor(() => withPrefix('cross-auth').length >= 1, undefined, 'the preflighted request');
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'OPTIONS', 'POST']);
    expect(server.requests[2]).toMatchObject({ authorization: 'Bearer t0k', status: 204 });
    await page.close(); // the beacon of the rest also crosses origins
  });

  it('falls back to fetch keepalive at page hide when sendBeacon is missing', async () => {
    const server = await start();
    const page = await pageWithLogger(`{ endpoint: '/ingest', batch: { size: 100, intervalMs: 0 } }`, 'delete Navigator.prototype.sendBeacon;');
    await page.evaluate(() => (globalThis as any).logMany(10, 'nobeacon'));
    await page.close();
    await waitFor(() => withPrefix('nobeacon').length >= 10, undefined, 'the keepalive fetch');
    await settle();
    expect(seqs(withPrefix('nobeacon'))).toEqual(range(0, 10));
    expect(server.requests.map((r) => r.mode)).toEqual(['cors']);
  });

  it('falls back to fetch keepalive when sendBeacon refuses', async () => {
    const server = await start();
    const page = await pageWithLogger(`{ endpoint: '/ingest', batch: { size: 100, intervalMs: 0 } }`, 'navigator.sendBeacon = () => false;');
    await page.evaluate(() => (globalThis as any).logMany(10, 'refused'));
    await page.close();
    await waitFor(() => withPrefix('refused').length >= 10, undefined, 'the keepalive fetch');
    await settle();
    expect(seqs(withPrefix('refused'))).toEqual(range(0, 10));
    expect(server.requests.map((r) => r.mode)).toEqual(['cors']);
  });

  it('bounds the offline store: the oldest events are dropped and counted, the newest arrive on the next load', async () => {
    const server = await start();
    server.state.ingestStatus = 503;
    const options = `{ endpoint: '/ingest', batch: { size: 40, intervalMs: 0 }, retry: { maxAttempts: 1 }, offline: { maxBytes: 5000 },
      onDropped: (events, reason) => { (globalThis.drops ??= []).push([reason, events.length]); } }`;
    const page = await pageWithLogger(options);
    await page.evaluate(() => (globalThis as any).logMany(40, 'bounded', 200));
    await page.waitForFunction(() => (globalThis as any).log.stats().offline.stored === 40);
    const stats = await page.evaluate(() => (globalThis as any).log.stats());
    const drops = (await page.evaluate(() => (globalThis as any).drops)) as [string, number][];
    const kept = 40 - stats.offline.dropped;
    expect(stats.offline.dropped).toBeGreaterThan(0);
    expect(kept).toBeGreaterThan(5);
    expect(drops).toEqual([['retries-exhausted', 40], ['overflow', stats.offline.dropped]]);
    const stored = await page.evaluate(() => localStorage.getItem('shiplog:offline')?.length ?? 0);
    expect(stored).toBeLessThanOrEqual(5000);

    server.state.ingestStatus = 0;
    await page.close();
    const next = await pageWithLogger(`{ endpoint: '/ingest', batch: { size: 40, intervalMs: 0 } }`);
    await waitFor(() => withPrefix('bounded').length >= kept, undefined, 'the kept events');
    await settle();
    expect(seqs(withPrefix('bounded'))).toEqual(range(40 - kept, 40));
    expect((await next.evaluate(() => (globalThis as any).log.stats())).offline.restored).toBe(kept);
  });

  it('keeps nothing in localStorage when offline storage is turned off', async () => {
    const server = await start();
    server.state.ingestStatus = 503;
    const page = await pageWithLogger(`{ endpoint: '/ingest', batch: { size: 5, intervalMs: 0 }, retry: { maxAttempts: 1 }, offline: false }`);
    await page.evaluate(() => (globalThis as any).logMany(5, 'optout'));
    await page.waitForFunction(() => (globalThis as any).log.stats().sinks.browser.dropped === 5);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect((await page.evaluate(() => (globalThis as any).log.stats())).offline).toEqual({ stored: 0, restored: 0, dropped: 0, handedOffKept: 0, handedOffResent: 0 });
  });

  it('keeps working when storage is blocked (sandboxed frames, privacy settings)', async () => {
    const server = await start();
    const blocked = `for (const name of ['localStorage', 'sessionStorage']) {
      Object.defineProperty(window, name, { configurable: true, get() { throw new DOMException('blocked', 'SecurityError'); } });
    }`;
    const page = await pageWithLogger(`{ endpoint: '/ingest', batch: { size: 100, intervalMs: 0 } }`, blocked);
    await page.evaluate(() => (globalThis as any).logMany(3, 'blocked'));
    expect((await page.evaluate(() => (globalThis as any).log.stats())).internalErrors).toBe(0);
    await page.close();
    await waitFor(() => withPrefix('blocked').length >= 3, undefined, 'the beacon');
    expect(seqs(withPrefix('blocked'))).toEqual(range(0, 3));
    expect(withPrefix('blocked')[0]?.session).toMatch(/^[\da-f-]{32,36}$/); // a per-page id instead
    expect(server.requests.map((r) => r.mode)).toEqual(['no-cors']);
  });

  it('sends each event once when the tab is hidden, shown again and then closed', async () => {
    const server = await start();
    const page = await pageWithLogger(`{ endpoint: '/ingest', batch: { size: 100, intervalMs: 0 } }`);
    await page.evaluate(() => (globalThis as any).logMany(5, 'tab'));
    await page.evaluate(() => {
      // Headless tabs cannot really be backgrounded (TOOLCHAIN.md), so flip visibilityState.
      let state = 'hidden';
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
      document.dispatchEvent(new Event('visibilitychange'));
      state = 'visible';
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await waitFor(() => withPrefix('tab').length >= 5, undefined, 'the first beacon');
    await page.evaluate(() => (globalThis as any).logMany(3, 'tab2'));
    await page.close(); // visibilitychange → hidden and pagehide: one more beacon for both
    await waitFor(() => withPrefix('tab2').length >= 3, undefined, 'the second beacon');
    await settle();
    expect(seqs(withPrefix('tab'))).toEqual(range(0, 5));
    expect(seqs(withPrefix('tab2'))).toEqual(range(0, 3));
    expect(server.requests.map((r) => r.mode)).toEqual(['no-cors', 'no-cors']);
  });

  it('restores the readable entries of corrupted offline storage and counts the rest, instead of sending bad JSON', async () => {
    const server = await start();
    const line = (seq: number): string => JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: 'restored', prefix: 'corrupt', seq });
    const stored = [
      JSON.stringify(['info', Date.now(), line(0)]),
      JSON.stringify(['info', Date.now(), '}} not json {{']), // one unreadable line would make the whole body bad JSON
      JSON.stringify(['toString', Date.now(), line(90)]), // not a level of ours
      `["info",1e400,${JSON.stringify(line(91))}]`, // Infinity time
      JSON.stringify(['info', Date.now(), '[1,2]']),
      JSON.stringify('a string'),
      JSON.stringify(['warn', Date.now(), line(1)]),
    ];
    const setup = `localStorage.setItem('shiplog:offline', ${JSON.stringify(`[${stored.join(',')}]`)});`;
    const page = await pageWithLogger(`{ endpoint: '/ingest', batch: { size: 100, intervalMs: 0 } }`, setup);
    await waitFor(() => withPrefix('corrupt').length >= 2, undefined, 'the restored events');
    await settle();
    expect(seqs(withPrefix('corrupt'))).toEqual([0, 1]);
    expect(server.requests.map((r) => r.status)).toEqual([204]);
    const stats = await page.evaluate(() => (globalThis as any).log.stats());
    expect(stats.offline).toEqual({ stored: 0, restored: 2, dropped: 5, handedOffKept: 0, handedOffResent: 0 });
    expect(await page.evaluate(() => localStorage.getItem('shiplog:offline'))).toBeNull();
  });

  it('survives offline storage holding something that is not a list (counted, overwritten by the next save)', async () => {
    const server = await start();
    server.state.ingestStatus = 503;
    const page = await pageWithLogger(
      `{ endpoint: '/ingest', batch: { size: 3, intervalMs: 0 }, retry: { maxAttempts: 1 } }`,
      `localStorage.setItem('shiplog:offline', '{"not":"a list"');`,
    );
    await page.evaluate(() => (globalThis as any).logMany(3, 'garbage'));
    await page.waitForFunction(() => (globalThis as any).log.stats().offline.stored === 3);
    const stats = await page.evaluate(() => (globalThis as any).log.stats());
    expect(stats.offline).toEqual({ stored: 3, restored: 0, dropped: 1, handedOffKept: 0, handedOffResent: 0 });
    expect(stats.internalErrors).toBe(0);
    const kept = JSON.parse((await page.evaluate(() => localStorage.getItem('shiplog:offline'))) as string) as unknown[][];
    expect(kept.map((entry) => (JSON.parse(entry[2] as string) as Received).seq)).toEqual([0, 1, 2]);
  });

  it('logs uncaught errors and rejections whose name or message getters throw, or that are hostile Proxies', async () => {
    await start();
    const page = await pageWithLogger(`{ endpoint: '/ingest', batch: { size: 100, intervalMs: 0 } }`);
    await page.evaluate(() => {
      const throwing = new Error('hidden');
      Object.defineProperty(throwing, 'message', { get: () => { throw new Error('message getter'); } });
      class NamelessError extends Error {
        override get name(): string {
          throw new Error('name getter');
        }
      }
      const proxy = new Proxy(new Error('proxied'), {
        getPrototypeOf: () => { throw new Error('getPrototypeOf trap'); },
        get: () => { throw new Error('get trap'); },
      });
      void Promise.reject(throwing);
      void Promise.reject(new NamelessError('nameless'));
      void Promise.reject(proxy);
      setTimeout(() => { throw new NamelessError('thrown nameless'); });
    });
    await page.waitForFunction(() => (globalThis as any).log.pending >= 4);
    expect(await page.evaluate(() => (globalThis as any).log.flush())).toMatchObject({ ok: true, delivered: 4 });
    const errors = (demo as Demo).received.filter((r) => r.level === 'error');
    expect(errors.map((r) => r.kind).sort()).toEqual(['uncaught-error', 'unhandled-rejection', 'unhandled-rejection', 'unhandled-rejection']);
    for (const r of errors) expect(r.msg).toMatch(/^(Uncaught|Unhandled rejection:) /);
  });
});

/** An app's module that re-exports `createLogger`, bundled as the app's bundler would, minified (production) or not. */
async function bundle(minify: boolean): Promise<string> {
  const result = await esbuild.build({
    stdin: { contents: `export { createLogger } from ${JSON.stringify(join(DIST, 'browser.js'))};`, resolveDir: DIST, loader: 'js' },
    bundle: true,
    minify,
    format: 'esm',
    platform: 'browser',
    write: false,
  });
  return result.outputFiles[0]?.text as string;
}

/**
 * The browser entry's option checking: in a development build (the demo server bundles the
 * library without minifying, so esbuild sets NODE_ENV to "development") a bad option throws in
 * the page; a production build (minified: NODE_ENV "production") carries no option rules at all
 * and takes options as given, and still delivers.
 */
describe('option checking in the lean browser build (Chromium)', () => {
  it('a development build checks options in the page: a bad value or a misspelt key throws, naming it', async () => {
    await start();
    const page = await (context as BrowserContext).newPage();
    await page.goto(`${(demo as Demo).url}/blank`);
    // A string, not a function: the test runner would rewrite a dynamic import() inside a function.
    const errors = (await page.evaluate(`(async () => {
      const { createLogger } = await import('/shiplog.js');
      const messages = [];
      for (const options of [{ endpoint: '/ingest', batch: { size: 0 } }, { endpoint: '/ingest', levl: 'debug' }]) {
        try {
          createLogger(options);
          messages.push('no error');
        } catch (error) {
          messages.push(error.name + ': ' + error.message);
        }
      }
      return messages;
    })()`)) as string[];
    expect(errors[0]).toMatch(/^RangeError: shiplog: option "batch\.size" must be an integer >= 1/);
    expect(errors[1]).toMatch(/^TypeError: shiplog: unknown createLogger option "levl"; did you mean "level"\?/);
    expect(await bundle(false)).toContain('did you mean');
  });

  it('a production build carries no option rules, takes options as given and delivers', async () => {
    const code = await bundle(true);
    expect(code).not.toContain('did you mean');
    expect(code).not.toContain('must be an integer');
    await start();
    const page = await (context as BrowserContext).newPage();
    await page.goto(`${(demo as Demo).url}/blank`);
    const result = await page.evaluate(`(async () => {
      const url = URL.createObjectURL(new Blob([${JSON.stringify(code)}], { type: 'text/javascript' }));
      const { createLogger } = await import(url);
      const log = createLogger({ endpoint: '/ingest', levl: 'ignored', batch: { size: 10, intervalMs: 0 } });
      log.info('from a production build', { prod: true });
      return log.flush();
    })()`);
    expect(result).toMatchObject({ ok: true, delivered: 1 });
    await waitFor(() => (demo as Demo).received.some((r) => r.prod === true), undefined, 'the event');
    expect((demo as Demo).received.find((r) => r.prod === true)).toMatchObject({ msg: 'from a production build', level: 'info' });
  });
});
