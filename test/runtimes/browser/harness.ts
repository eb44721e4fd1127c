import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** The build under test: dist/ (built by `npm test`), or SHIPLOG_DIST. */
export const DIST = process.env.SHIPLOG_DIST ?? join(new URL('../../..', import.meta.url).pathname, 'dist');

export function assertBuilt(): void {
  for (const file of ['browser.js', 'ingest.js', 'index.js']) {
    if (!existsSync(join(DIST, file))) throw new Error(`${join(DIST, file)} is missing: run \`npm run build\` first`);
  }
}

/** Debian's Chromium, headless, with the flags that work on these machines (TOOLCHAIN.md). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Records every fetch the page makes (keepalive flag and body size) before the app runs. */
export async function recordFetches(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __fetches: { keepalive: boolean; bytes: number }[] };
    w.__fetches = [];
    const original = window.fetch.bind(window);
    window.fetch = (input, init) => {
      const body = init?.body;
      w.__fetches.push({ keepalive: init?.keepalive === true, bytes: typeof body === 'string' ? new TextEncoder().encode(body).length : -1 });
      return original(input, init);
    };
  });
}

/** Polls `condition` every 20 ms until it holds or `timeoutMs` passes (waiting on another process). */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
