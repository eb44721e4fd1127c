import * as esbuild from 'esbuild';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM fixture without types
import { startDemoServer } from '../../../fixtures/browser/server.mjs';
import { assertBuilt, DIST, launchChromium, waitFor } from './harness.js';

/**
 * The browser entry's option checking: in a development build (the demo server bundles the
 * library without minifying, so esbuild sets NODE_ENV to "development") a bad option throws in
 * the page; a production build (minified: NODE_ENV "production") carries no option rules at all
 * and takes options as given, and still delivers.
 */
let browser: Browser;
let demo: { url: string; received: Record<string, unknown>[]; close(): Promise<void> };
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

async function blank(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${demo.url}/blank`);
  return page;
}

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

describe('option checking in the lean browser build (Chromium)', () => {
  it('a development build checks options in the page: a bad value or a misspelt key throws, naming it', async () => {
    const page = await blank();
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
    const page = await blank();
    const result = await page.evaluate(`(async () => {
      const url = URL.createObjectURL(new Blob([${JSON.stringify(code)}], { type: 'text/javascript' }));
      const { createLogger } = await import(url);
      const log = createLogger({ endpoint: '/ingest', levl: 'ignored', batch: { size: 10, intervalMs: 0 } });
      log.info('from a production build', { prod: true });
      return log.flush();
    })()`);
    expect(result).toMatchObject({ ok: true, delivered: 1 });
    await waitFor(() => demo.received.some((r) => r.prod === true), undefined, 'the event');
    expect(demo.received.find((r) => r.prod === true)).toMatchObject({ msg: 'from a production build', level: 'info' });
  });
});
