/** Shared parts of the `shiplog dev` tests: a collector on a temp folder, and posting to it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer, type DevServer, type DevServerOptions } from '../../../runtimes/node/dev/server.js';

export interface TestCollector extends DevServer {
  base: string;
  dir: string;
  stop(): Promise<void>;
}

/** A collector on a free loopback port and a fresh store folder. */
export async function startCollector(options: Partial<DevServerOptions> = {}): Promise<TestCollector> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'shiplog-dev-test-'));
  const server = await startDevServer({ port: 0, ...options, dir });
  const base = server.url.replace(/\/(\?.*)?$/, '');
  return {
    ...server,
    base,
    dir,
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A wide event with a unique id. */
export function wideEvent(n: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { level: 'info', time: new Date().toISOString(), service: 'api', msg: `event ${n}`, eventId: `e-${n}`, ...fields };
}

/** POSTs a body; resolves with the status and the parsed JSON answer (if any). */
export async function post(url: string, body: string, contentType = 'application/json', headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json };
}

/** The ids of every stored event matching `params` (newest first), following pages. */
export async function storedIds(base: string, params = ''): Promise<string[]> {
  const ids: string[] = [];
  let before: number | undefined;
  for (;;) {
    const page = (await (await fetch(`${base}/api/events?${params}&limit=500${before === undefined ? '' : `&before=${before}`}`)).json()) as { events: { eventId?: string }[]; next?: number };
    for (const event of page.events) ids.push(String(event.eventId));
    if (page.next === undefined) return ids;
    before = page.next;
  }
}
