/**
 * The collector's receiving endpoints, on node:http: the browser ingest (shiplog's own
 * `createIngestHandler`, unchanged), shiplog HTTP batches (`POST /v1/batch`, JSON array or
 * NDJSON) and OTLP/HTTP JSON logs (`POST /v1/logs`), plus senders' delivery reports
 * (`POST /v1/stats`). Bodies are capped while streaming; every refusal is counted by reason.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { createIngestHandler, createLogger, type LogEvent, type Sink } from '../../../src/internal.js';
import { decodeBatch, decodeOtlpLogs, type Received } from './decode.js';
import type { Health } from './health.js';
import type { EventStore } from './store.js';

/** Limits of the receiving endpoints. */
export interface ReceiverLimits {
  /** Largest request body. @default 5242880 (5 MB) */
  maxBodyBytes?: number;
  /** Most events in one request. @default 10000 */
  maxEvents?: number;
}

/** A route handler on node:http. */
export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

const MAX_RUNTIME_LENGTH = 32;

/** Replies with a status and an optional JSON body. */
export function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
  res.end(text);
}

type Body = { ok: true; text: string } | { ok: false; status: number; reason: string };

/** Reads a body as UTF-8 up to `max` bytes; stops reading (and lets the socket go) past it. */
function readBody(req: IncomingMessage, max: number): Promise<Body> {
  const declared = Number(req.headers['content-length']);
  if (declared > max) {
    req.resume();
    return Promise.resolve({ ok: false, status: 413, reason: 'body-too-large' });
  }
  const encoding = req.headers['content-encoding']?.toLowerCase();
  // gzip: otlpSink (like OTel SDKs) compresses by default; inflated at most to `max` bytes.
  if (encoding !== undefined && encoding !== 'identity' && encoding !== 'gzip') {
    req.resume();
    return Promise.resolve({ ok: false, status: 415, reason: 'unsupported-content-encoding' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > max) {
        resolve({ ok: false, status: 413, reason: 'body-too-large' });
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      try {
        if (encoding === 'gzip') raw = gunzipSync(raw, { maxOutputLength: max });
      } catch (error) {
        const tooLarge = (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
        return resolve(tooLarge ? { ok: false, status: 413, reason: 'body-too-large' } : { ok: false, status: 400, reason: 'bad-gzip' });
      }
      try {
        resolve({ ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(raw) });
      } catch {
        resolve({ ok: false, status: 400, reason: 'bad-encoding' });
      }
    });
    req.on('error', () => resolve({ ok: false, status: 400, reason: 'unreadable' }));
  });
}

/** The sender's runtime, from `?runtime=` or `x-shiplog-runtime` (so fixtures need no code for it). */
function runtimeHint(req: IncomingMessage, url: URL): string | undefined {
  const raw = url.searchParams.get('runtime') ?? req.headers['x-shiplog-runtime'];
  return typeof raw === 'string' && raw !== '' ? raw.slice(0, MAX_RUNTIME_LENGTH) : undefined;
}

/** Builds the receiving routes over a store and the health counters. */
export function createReceivers(store: EventStore, health: Health, limits: ReceiverLimits = {}): Record<'ingest' | 'batch' | 'otlp' | 'stats', Route> {
  const maxBodyBytes = limits.maxBodyBytes ?? 5 * 1024 * 1024;
  const maxEvents = limits.maxEvents ?? 10_000;

  function storeEvents(endpoint: string, events: Received[], runtime: string | undefined): { stored: number; duplicates: number; invalid: number } {
    const receivedAt = new Date().toISOString();
    for (const event of events) {
      if (runtime !== undefined && typeof event.runtime !== 'string') event.runtime = runtime;
      // An event without a readable time is placed at its arrival (the time filter needs one).
      if (typeof event.time !== 'string' || Number.isNaN(Date.parse(event.time))) event.time = receivedAt;
    }
    const result = store.insert(events);
    const counters = health.endpoint(endpoint);
    counters.stored += result.stored;
    counters.duplicates += result.duplicates;
    counters.invalid += result.invalid;
    return result;
  }

  /** The ingest writes through a logger; this sink puts its lines back in the browser's terms. */
  const browserSink: Sink = {
    name: 'dev-store',
    write(batch: readonly LogEvent[]): void {
      this.writeSync?.(batch);
    },
    writeSync(batch: readonly LogEvent[]): void {
      const events = batch.map((event) => {
        const record = JSON.parse(event.line) as Received;
        // The client's id is the one its retries repeat; the client's time and service are the event's.
        if (typeof record._eventId === 'string') record.eventId = record._eventId;
        delete record._eventId;
        if (typeof record._service === 'string') record.service = record._service;
        delete record._service;
        if (typeof record.clientTime === 'string') record.time = record.clientTime;
        return record;
      });
      storeEvents('ingest', events, 'browser');
    },
  };
  const ingestLogger = createLogger({ service: 'browser', level: 'trace', sinks: [browserSink], batch: { size: 1000, intervalMs: 0 } });
  const ingest = createIngestHandler({
    logger: ingestLogger,
    allowedOrigins: '*', // a local dev collector: any page on this machine may send to it
    maxBodyBytes,
    maxEvents: Math.min(maxEvents, 1000),
    // A local dev collector takes whole test runs at once: generous, but still bounded, per client.
    rateLimit: { burst: 2000, perSecond: 1000, burstBytes: 64 << 20, bytesPerSecond: 16 << 20, burstEvents: 1_000_000, eventsPerSecond: 100_000 },
  });
  let countedIngestDuplicates = 0;

  return {
    async ingest(req, res, url) {
      health.endpoint('ingest').requests++;
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS';
      const request = new Request(url, {
        method: req.method,
        headers,
        ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
      } as RequestInit);
      const response = await ingest(request, { clientAddress: req.socket.remoteAddress });
      // The ingest itself drops ids it already accepted (before the store sees them): count those too.
      const ingestDuplicates = ingest.stats().duplicateEvents;
      health.endpoint('ingest').duplicates += ingestDuplicates - countedIngestDuplicates;
      countedIngestDuplicates = ingestDuplicates;
      await ingestLogger.flush();
      if (response.status >= 400) health.refuse('ingest', (/"error":"([^"]+)"/.exec(await response.clone().text())?.[1] ?? String(response.status)).slice(0, 64));
      const replyHeaders = Object.fromEntries(response.headers);
      // A body the handler stopped reading (over the cap) leaves bytes on the wire: close this connection.
      if (hasBody && !req.complete) replyHeaders.connection = 'close';
      res.writeHead(response.status, replyHeaders);
      res.end(Buffer.from(await response.arrayBuffer()));
      if (hasBody && !req.readableEnded) req.resume();
    },

    async batch(req, res, url) {
      health.endpoint('batch').requests++;
      const body = await readBody(req, maxBodyBytes);
      if (!body.ok) return refuse(res, 'batch', body.status, body.reason);
      const decoded = decodeBatch(body.text);
      if (decoded === undefined) return refuse(res, 'batch', 400, 'bad-json');
      if (decoded.events.length > maxEvents) return refuse(res, 'batch', 413, 'too-many-events');
      if (decoded.events.length === 0) return refuse(res, 'batch', 400, 'no-events');
      const result = storeEvents('batch', decoded.events, runtimeHint(req, url));
      send(res, 200, { ...result, invalid: result.invalid + decoded.invalid });
    },

    async otlp(req, res, url) {
      health.endpoint('otlp').requests++;
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json') {
        req.resume();
        return refuse(res, 'otlp', 415, 'json-only'); // OTLP/HTTP protobuf is not read here
      }
      const body = await readBody(req, maxBodyBytes);
      if (!body.ok) return refuse(res, 'otlp', body.status, body.reason);
      const decoded = decodeOtlpLogs(body.text, maxEvents);
      if (decoded === undefined) return refuse(res, 'otlp', 400, 'bad-json');
      const result = storeEvents('otlp', decoded.events, runtimeHint(req, url));
      const rejected = result.invalid + decoded.invalid;
      send(res, 200, rejected > 0 ? { partialSuccess: { rejectedLogRecords: String(rejected) } } : {});
    },

    async stats(req, res, url) {
      health.endpoint('stats').requests++;
      const body = await readBody(req, 256 * 1024);
      if (!body.ok) return refuse(res, 'stats', body.status, body.reason);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.text);
      } catch {
        return refuse(res, 'stats', 400, 'bad-json');
      }
      if (!health.report(parsed, runtimeHint(req, url))) return refuse(res, 'stats', 400, 'not-a-stats-report');
      send(res, 204);
    },
  };

  function refuse(res: ServerResponse, endpoint: string, status: number, reason: string): void {
    health.refuse(endpoint, reason);
    // A body cut off at the cap leaves bytes on the wire: this connection cannot carry another request.
    send(res, status, { error: reason }, status === 413 ? { connection: 'close' } : {});
  }
}
