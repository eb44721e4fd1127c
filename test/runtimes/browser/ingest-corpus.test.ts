import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM fixture without types
import { CANARY, cases, CORPUS_INGEST_OPTIONS, PUBLIC_KEY } from '../../../fixtures/ingest/corpus.mjs';
import { assertBuilt, DIST, waitFor } from './harness.js';

interface Case {
  name: string;
  expect: number | number[];
  method?: string;
  headers?: Record<string, string>;
  query?: string;
  body?: string | Uint8Array;
  stream?: number;
  declaredLength?: number;
  repeat?: number;
  expectHeaders?: Record<string, string>;
  check?: (record: Record<string, unknown>) => boolean;
}
interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  bytesSent: number;
}
interface ServerStats {
  memory: { rss: number; heapUsed: number };
  ingest: { bytesRead: number; acceptedEvents: number; invalidEvents: number; trackedClients: number };
  received: number;
  prototypePolluted: boolean;
}

const MAX_BODY = 1_048_576;
let server: ChildProcess;
let base: string;

beforeAll(async () => {
  assertBuilt();
  server = spawn(process.execPath, ['fixtures/browser/server.mjs', '0'], {
    cwd: new URL('../../..', import.meta.url).pathname,
    env: { ...process.env, SHIPLOG_DIST: DIST, DEMO_INGEST_OPTIONS: JSON.stringify(CORPUS_INGEST_OPTIONS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  server.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await waitFor(() => /http:\/\/\S+\//.test(out), 10_000, 'the demo server');
  base = (/(http:\/\/\S+)\//.exec(out) as RegExpExecArray)[1] as string;
});
afterAll(() => {
  server?.kill('SIGTERM');
});

/** Sends one case over a real socket; streams and declared lengths need node:http rather than fetch. */
function send(c: Case): Promise<Reply> {
  const url = new URL(`${base}/ingest${c.query ?? `?key=${PUBLIC_KEY}`}`);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-corpus-client': c.name, ...c.headers };
  const body = c.body === undefined ? undefined : typeof c.body === 'string' ? Buffer.from(c.body) : Buffer.from(c.body);
  if (c.declaredLength !== undefined) headers['content-length'] = String(c.declaredLength);
  else if (c.stream === undefined && body !== undefined) headers['content-length'] = String(body.length);
  if (c.stream !== undefined) return streamBody(url, headers, c.stream);
  return new Promise((resolve, reject) => {
    let bytesSent = 0;
    let done = false;
    const req = http.request(url, { method: c.method ?? 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        done = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, bytesSent });
        req.destroy();
      });
    });
    req.on('error', (error) => (done ? undefined : reject(error)));
    if (c.declaredLength !== undefined) {
      req.write(body ?? '');
      bytesSent = body?.length ?? 0; // then wait: the server must answer without the rest
    } else {
      req.end(body);
      bytesSent = body?.length ?? 0;
    }
  });
}

/**
 * Streams `total` bytes with chunked encoding over a raw socket, one 64 KB chunk per turn of the
 * event loop, and stops at the first byte of an answer. The server resets the connection soon
 * after answering (it discards what it did not read), so the answer is parsed from what arrived
 * rather than through an HTTP client that may report the reset instead.
 */
function streamBody(url: URL, headers: Record<string, string>, total: number): Promise<Reply> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    let answer = '';
    let bytesSent = 0;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const [head = '', text = ''] = answer.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      const replyHeaders: http.IncomingHttpHeaders = {};
      for (const line of head.split('\r\n').slice(1)) {
        const at = line.indexOf(':');
        replyHeaders[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
      }
      const json = /\{[^}]*\}/.exec(text)?.[0] ?? text;
      resolve({ status, headers: replyHeaders, text: json, bytesSent });
    };
    socket.on('data', (data: Buffer) => {
      answer += data.toString();
      if (answer.includes('\r\n\r\n') && answer.includes('"}')) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    const head = Object.entries({ ...headers, host: url.host, 'transfer-encoding': 'chunked' }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`POST ${url.pathname}${url.search} HTTP/1.1\r\n${head}\r\n`);
    const pump = (): void => {
      if (answer !== '' || settled) return;
      if (bytesSent >= total) return void socket.write('0\r\n\r\n');
      bytesSent += chunk.length;
      if (socket.write(frame)) setImmediate(pump);
      else socket.once('drain', pump);
    };
    pump();
  });
}

async function stats(): Promise<ServerStats> {
  return (await (await fetch(`${base}/__stats`)).json()) as ServerStats;
}

async function lastRecord(): Promise<Record<string, unknown>> {
  const records = (await (await fetch(`${base}/received`)).json()) as Record<string, unknown>[];
  return records[records.length - 1] as Record<string, unknown>;
}

describe('ingest endpoint against a corpus of hostile requests (Hono on Node)', () => {
  it('has at least 30 cases', () => {
    expect((cases as Case[]).length).toBeGreaterThanOrEqual(30);
  });

  for (const c of cases as Case[]) {
    it(`${c.name} → ${String(c.expect)}`, async () => {
      const before = await stats();
      const replies = await Promise.all(Array.from({ length: c.repeat ?? 1 }, () => send(c)));
      for (const reply of replies) {
        if (Array.isArray(c.expect)) expect(c.expect).toContain(reply.status);
        else expect(reply.status).toBe(c.expect);
        expect(reply.text).not.toContain(CANARY); // never echoes input back
        expect(reply.text.length).toBeLessThan(100);
        if (reply.status >= 400) expect(JSON.parse(reply.text)).toEqual({ error: expect.any(String) });
        if (reply.status === 429) expect(Number(reply.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        for (const [name, value] of Object.entries(c.expectHeaders ?? {})) expect(reply.headers[name]).toBe(value);
      }
      const after = await stats();
      expect(after.ingest.bytesRead - before.ingest.bytesRead).toBeLessThanOrEqual((c.repeat ?? 1) * (MAX_BODY + 64 * 1024));
      expect(after.prototypePolluted).toBe(false);
      if (c.repeat !== undefined) {
        expect(replies.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(c.repeat - 20); // burst 20
      }
      if (c.stream !== undefined || c.declaredLength !== undefined) {
        // A server that held the 100 MB body would grow by about that much.
        expect(after.memory.rss - before.memory.rss).toBeLessThan(32 * 1024 * 1024);
      }
      if (c.stream !== undefined) {
        // The handler stopped at the cap and answered; the client got no further than socket buffers.
        expect(after.ingest.bytesRead - before.ingest.bytesRead).toBeLessThanOrEqual(MAX_BODY + 64 * 1024);
        expect(replies[0]?.bytesSent).toBeLessThan(16 * 1024 * 1024);
      }
      if (c.check !== undefined) {
        await waitFor(async () => (await stats()).received > before.received, undefined, 'the event to be stored');
        const record = await lastRecord();
        expect(c.check(record), JSON.stringify(record).slice(0, 500)).toBe(true);
      }
    });
  }

  it('kept its memory bounded through the whole corpus', async () => {
    const { memory, ingest } = await stats();
    expect(memory.rss).toBeLessThan(160 * 1024 * 1024); // ~100 MB measured here: the 100 MB bodies were never held
    expect(ingest.bytesRead).toBeLessThan(20 * 1024 * 1024);
    expect(ingest.trackedClients).toBeLessThanOrEqual(10_000);
  });
});
