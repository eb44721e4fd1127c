/**
 * The `shiplog dev` process: one node:http server that receives events (see receivers.ts),
 * stores them (store.ts), and serves the viewer with its API: `/api/events` (one page of a
 * filtered query), `/api/stream` (server-sent events of new matching events), `/api/health`
 * and `/api/facets`. Loopback by default; any other address needs a token on every request.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Health } from './health.js';
import { matchesEvent, parseQuery } from './query.js';
import { createReceivers, send, type ReceiverLimits, type Route } from './receivers.js';
import { EventStore } from './store.js';

/** Options of {@link startDevServer}. */
export interface DevServerOptions extends ReceiverLimits {
  /** Folder of the store's segment files. */
  dir: string;
  /** Port; when taken, the next free one is used (and `note` says so). 0 picks any. @default 4318 */
  port?: number;
  /** Address to bind. Anything but loopback requires `token`. @default '127.0.0.1' */
  host?: string;
  /** Shared secret every request must carry (`Authorization: Bearer`, `x-shiplog-token` or `?token=`). @default undefined */
  token?: string;
  /** Events kept in the store. @default 2000000 */
  maxEvents?: number;
  /** Most live-tail (SSE) connections at once. @default 32 */
  maxStreams?: number;
  /** Longest a client may take to send a whole request (slow bodies are cut off). @default 15000 */
  requestTimeoutMs?: number;
}

/** A running collector. */
export interface DevServer {
  /** The viewer's URL (with `?token=` when a token is set). */
  url: string;
  port: number;
  /** Set when the asked-for port was taken and another was used. */
  note?: string;
  store: EventStore;
  health: Health;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const PORT_TRIES = 10;
const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml' };

/** The viewer's folder: next to this module in the sources, `dist/viewer` in the package. */
function viewerDir(): string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, 'viewer'), join(here, 'dev', 'viewer'), join(here, '..', 'viewer')]) {
    try {
      if (readdirSync(candidate).includes('index.html')) return candidate;
    } catch {
      // not this layout
    }
  }
  throw new Error('the viewer assets are missing (dist/viewer); rebuild the package');
}

/** The viewer's files, read once (a fixed set: no path from a request reaches the disk). */
function loadAssets(): Map<string, { type: string; body: Buffer }> {
  const dir = viewerDir();
  const assets = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[name.slice(name.lastIndexOf('.'))];
    if (type !== undefined) assets.set(`/viewer/${name}`, { type, body: readFileSync(join(dir, name)) });
  }
  const index = assets.get('/viewer/index.html');
  if (index !== undefined) assets.set('/', index);
  return assets;
}

function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7);
  const header = req.headers['x-shiplog-token'];
  if (typeof header === 'string') return header;
  return url.searchParams.get('token') ?? undefined;
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Listens on `port`, or the next of PORT_TRIES ports when taken, or any free port. */
async function listen(server: Server, port: number, host: string): Promise<{ port: number; note?: string }> {
  const attempt = (p: number): Promise<boolean> =>
    new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        if (error.code === 'EADDRINUSE') resolve(false);
        else reject(error);
      };
      const onListening = (): void => {
        server.off('error', onError);
        resolve(true);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(p, host);
    });
  const candidates = port === 0 ? [0] : [...Array.from({ length: PORT_TRIES }, (_, i) => port + i), 0];
  for (const candidate of candidates) {
    if (candidate > 65535) continue;
    if (await attempt(candidate)) {
      const actual = (server.address() as AddressInfo).port;
      return actual === port || port === 0 ? { port: actual } : { port: actual, note: `port ${port} is taken; using ${actual} instead` };
    }
  }
  throw new Error(`no free port from ${port}`);
}

/** Starts the collector and viewer. Rejects when a non-loopback host has no token. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token === '' ? undefined : options.token;
  if (!LOOPBACK.has(host) && token === undefined) throw new Error(`binding to ${host} (not loopback) needs a token: --token <secret> or SHIPLOG_DEV_TOKEN`);
  const assets = loadAssets();
  const store = new EventStore({ dir: options.dir, maxEvents: options.maxEvents });
  const health = new Health();
  const receivers = createReceivers(store, health, options);
  const streams = new Set<ServerResponse>();
  const maxStreams = options.maxStreams ?? 32;

  const stream: Route = async (req, res, url) => {
    if (streams.size >= maxStreams) return send(res, 503, { error: 'too-many-streams' });
    const query = parseQuery(url.searchParams);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': live\n\n');
    let dropped = 0;
    let blocked = false;
    res.on('drain', () => {
      blocked = false;
      if (dropped > 0) res.write(`event: dropped\ndata: ${dropped}\n\n`);
      dropped = 0;
    });
    // A viewer that reads slower than events arrive misses some (counted, announced) instead of
    // growing this process's memory: the live tail is a view, the store has every event.
    const unsubscribe = store.subscribe((record, line) => {
      if (!matchesEvent(query, record, line)) return;
      if (blocked) return void dropped++;
      blocked = !res.write(`data: ${line}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': ping\n\n'), 15_000);
    heartbeat.unref();
    streams.add(res);
    req.on('close', () => {
      unsubscribe();
      clearInterval(heartbeat);
      streams.delete(res);
    });
  };

  const routes: Record<string, Route> = {
    'POST /v1/batch': receivers.batch,
    'POST /v1/logs': receivers.otlp,
    'POST /v1/stats': receivers.stats,
    'GET /api/stream': stream,
    'GET /api/events': async (_req, res, url) => {
      const before = Number(url.searchParams.get('before'));
      const limit = Number(url.searchParams.get('limit'));
      send(res, 200, store.query(parseQuery(url.searchParams), { before: before > 0 ? before : undefined, limit: limit > 0 ? limit : undefined }));
    },
    'GET /api/health': async (_req, res) => send(res, 200, { ...health.snapshot(), store: store.stats(), streams: streams.size }),
    'GET /api/facets': async (_req, res) => send(res, 200, store.facets()),
  };

  const requestTimeout = options.requestTimeoutMs ?? 15_000;
  const server = createServer({
    requestTimeout,
    headersTimeout: Math.min(requestTimeout, 10_000),
    // How often Node checks those timeouts (its default, 30 s, would let a slow body run long past them).
    connectionsCheckingInterval: Math.max(100, Math.min(1000, requestTimeout / 4)),
    maxHeaderSize: 16_384,
  }, (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${LOOPBACK.has(host) ? '127.0.0.1' : 'collector'}`);
    } catch {
      return send(res, 400, { error: 'bad-url' });
    }
    if (token !== undefined && !sameSecret(tokenOf(req, url), token)) {
      health.refuse('auth', 'bad-token');
      req.resume();
      return send(res, 401, { error: 'bad-token' }, { 'www-authenticate': 'Bearer' });
    }
    if (req.method === 'OPTIONS' && url.pathname.startsWith('/v1/')) {
      return send(res, 204, undefined, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type, authorization, x-shiplog-token, x-shiplog-runtime, idempotency-key', 'access-control-max-age': '600' });
    }
    if (url.pathname.startsWith('/v1/')) res.setHeader('access-control-allow-origin', '*');
    // The ingest answers every method itself (405 with Allow, CORS preflight), like in production.
    const route = url.pathname === '/ingest' ? receivers.ingest : routes[`${req.method} ${url.pathname}`];
    if (route !== undefined) {
      route(req, res, url).catch(() => send(res, 500, { error: 'internal' }));
      return;
    }
    const asset = req.method === 'GET' ? assets.get(url.pathname) : undefined;
    if (asset !== undefined) {
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
      return void res.end(asset.body);
    }
    req.resume();
    send(res, 404, { error: 'not-found' });
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  const bound = await listen(server, options.port ?? 4318, host);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${bound.port}/${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
  return {
    url,
    port: bound.port,
    ...(bound.note === undefined ? {} : { note: bound.note }),
    store,
    health,
    async close() {
      for (const res of streams) res.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
    },
  };
}
