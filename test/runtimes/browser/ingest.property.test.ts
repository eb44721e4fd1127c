/**
 * Property test of the ingest handler (`shiplog/ingest`): random requests (methods, origins, keys,
 * content types and encodings, gzip bodies and bombs, lying Content-Length, streamed or whole
 * bodies of JSON, random text or random bytes, deep nesting, huge numbers, duplicate and
 * `__proto__` keys, valid events mixed with invalid ones) against random handler options. A model
 * of the documented checks (README "The ingest endpoint") predicts each status; every accepted
 * event must reach the sink once, as a valid JSON line without duplicate keys, carrying the
 * server fields and the client's fields (reserved names moved aside, none lost).
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { createIngestHandler, type IngestHandler, type IngestOptions } from '../../../src/ingest.js';
import { memorySink, type MemorySink } from '../../../src/testing.js';

const URL_BASE = 'http://ingest.local/ingest';
const SELF = 'http://ingest.local';
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const SERVER_KEYS = ['source', 'receivedAt', 'clientTime', 'timeAdjusted', 'userAgent', 'clientIp'];
/** Names the endpoint or the core writes itself: a client value under one of them must not be lost. */
const RESERVED = [...SERVER_KEYS, 'service', 'env', 'version'];
const ENVELOPE = ['level', 'time', 'msg'];
const STATUSES = [204, 400, 401, 403, 405, 413, 415, 429];
const ERRORS: Record<string, number> = {
  'origin-not-allowed': 403,
  'method-not-allowed': 405,
  'bad-key': 401,
  'rate-limited': 429,
  'unsupported-content-type': 415,
  'unsupported-content-encoding': 415,
  'body-too-large': 413,
  'body-empty': 400,
  'body-bad-encoding': 400,
  'body-unreadable': 400,
  'bad-json': 400,
  'not-an-array': 400,
  'too-many-events': 413,
  'no-events': 400,
  'no-valid-events': 400,
};
const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** Where a client field is expected in the written line (the documented renaming rule). */
function expectedKey(key: string): string {
  return RESERVED.includes(key.replace(/^_+/, '')) ? `_${key}` : key;
}

// ---------------------------------------------------------------- generators

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 24 });

const keyArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...RESERVED, ...RESERVED.map((k) => `_${k}`), ...RESERVED.map((k) => `__${k}`)) },
  { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype', '0', '1', '42', '', '…') },
  { weight: 1, arbitrary: fc.constantFrom(...ENVELOPE, '_level', '_time', '_msg') },
  { weight: 4, arbitrary: fc.string({ maxLength: 8 }) },
);

const deep = (depth: number, open: string, close: string, leaf: string): string => open.repeat(depth) + leaf + close.repeat(depth);
const valueText = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.constantFrom('1e400', '-1e400', '1e-400', '-0', '123456789012345678901234567890', '9007199254740993', '0.1e1') },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((d) => deep(d, '[', ']', '1')) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((d) => deep(d, '{"a":', '}', '"x"')) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 30_000 }).map((n) => JSON.stringify('x'.repeat(n))) },
  { weight: 1, arbitrary: fc.constant('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}') },
);

const timeText = fc.oneof(
  fc.integer({ min: -400_000, max: 400_000 }).map((d) => String(Date.now() + d * 1000)),
  fc.integer({ min: -400_000, max: 400_000 }).map((d) => JSON.stringify(new Date(Date.now() + d * 1000).toISOString())),
  fc.constantFrom('0', '-1', '1e300', '-1e20', '8.64e15', 'null', 'true', '"soon"', '"2026-13-45T00:00:00Z"', `"${'9'.repeat(50)}"`, '1e400', '[1]', '{}'),
);

/** One event as JSON text, built from entries so keys may repeat (JSON.parse keeps the last). */
const eventText = fc
  .record(
    {
      level: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...LEVELS).map((l) => JSON.stringify(l)) },
        { weight: 1, arbitrary: fc.constantFrom('"toString"', '"__proto__"', '"INFO"', '30', 'null', '"constructor"', '["info"]') },
      ),
      msg: fc.oneof({ weight: 5, arbitrary: fc.string({ maxLength: 30 }).map((s) => JSON.stringify(s)) }, { weight: 1, arbitrary: fc.constantFrom('1', 'null', '{}', '[]') }),
      time: timeText,
      extra: fc.array(fc.tuple(keyArb, valueText), { maxLength: 8 }),
      many: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 150 }) }),
      order: fc.integer({ min: 0, max: 3 }),
    },
    { requiredKeys: ['extra', 'many', 'order'] },
  )
  .map(({ level, msg, time, extra, many, order }) => {
    const entries: [string, string][] = [];
    if (level !== undefined) entries.push(['level', level]);
    if (msg !== undefined) entries.push(['msg', msg]);
    if (time !== undefined) entries.push(['time', time]);
    for (const [k, v] of extra) entries.push([k, v]);
    // Many keys (integer-like ones enumerate first in JS objects) or one after the envelope.
    for (let i = 0; i < many; i++) entries.push([order % 2 === 0 ? String(i) : `k${i}`, String(i)]);
    if (order === 3) entries.reverse();
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
  });

const notAnEvent = fc.oneof(valueText, fc.constantFrom('[]', '"info"', 'null', '{}', '{"level":"info","msg":1}'));

const batchText = fc
  .array(fc.oneof({ weight: 4, arbitrary: eventText }, { weight: 1, arbitrary: notAnEvent }), { minLength: 0, maxLength: 12 })
  .chain((items) =>
    fc.record({ items: fc.constant(items), ws: fc.constantFrom('', ' ', '\n\t ', '\uFEFF') }).map(({ items: it, ws }) => `${ws}[${it.join(',')}]${ws.trim()}`),
  );

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const BOMB = gzipSync(new Uint8Array(8 * 1024 * 1024)); // 8 MB of zeros, ~8 KB gzipped

const bodyArb: fc.Arbitrary<{ bytes: Uint8Array | null; encoding?: string }> = fc.oneof(
  { weight: 8, arbitrary: batchText.map((t) => ({ bytes: enc(t) })) },
  { weight: 1, arbitrary: fc.json().map((t) => ({ bytes: enc(t) })) },
  { weight: 1, arbitrary: fc.string().map((t) => ({ bytes: enc(t) })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ bytes: b })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 100_000 }).map((d) => ({ bytes: enc(deep(d, '[', ']', '')) })) },
  { weight: 1, arbitrary: fc.constant({ bytes: null }) },
  {
    weight: 2,
    arbitrary: fc.record({
      inner: fc.oneof(batchText.map(enc), fc.uint8Array({ maxLength: 100 })),
      how: fc.constantFrom('gzip', 'bomb', 'plain-with-header', 'garbage'),
      encoding: fc.constantFrom('gzip', 'GZIP', 'deflate', 'br', 'identity', 'Identity', 'gzip, identity', ''),
    }).map(({ inner, how, encoding }) => ({
      bytes: how === 'gzip' ? new Uint8Array(gzipSync(inner)) : how === 'bomb' ? new Uint8Array(BOMB) : how === 'garbage' ? new Uint8Array([0x1f, 0x8b, ...inner]) : inner,
      encoding,
    })),
  },
);

const originArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(null, SELF, 'https://app.example') },
  { weight: 1, arbitrary: fc.constantFrom('https://app.example.evil', 'null', '', 'http://ingest.local:80', 'HTTP://INGEST.LOCAL') },
  { weight: 1, arbitrary: printable },
);

const configArb = fc.record({
  maxBodyBytes: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: undefined, freq: 2 }),
  maxEvents: fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }),
  publicKeys: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.constant(['pk_1']) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom('pk_1', 'pk_2', ''), { maxLength: 2 }) },
  ),
  allowedOrigins: fc.oneof(fc.constant(undefined), fc.constant('*' as const), fc.constant(['https://app.example'])),
  rateLimit: fc.oneof(fc.constant(false as const), fc.record({ burst: fc.integer({ min: 1, max: 3 }), perSecond: fc.constantFrom(0, 0.5, 100) })),
  clientAddressHeader: fc.option(fc.constant('x-real-ip'), { nil: undefined }),
  limits: fc.option(
    // Small limits, yet room for the server fields alone (the operator's limits bound them too).
    fc.record({ maxKeys: fc.integer({ min: 7, max: 30 }), maxDepth: fc.integer({ min: 1, max: 12 }), maxStringLength: fc.integer({ min: 512, max: 2000 }), maxEventBytes: fc.integer({ min: 1024, max: 8192 }) }),
    { nil: undefined },
  ),
});

const requestArb = fc.record({
  method: fc.oneof({ weight: 8, arbitrary: fc.constant('POST') }, { weight: 2, arbitrary: fc.constantFrom('post', 'OPTIONS', 'GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'PROPFIND') }),
  contentType: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('application/json', 'text/plain;charset=UTF-8', ' Application/JSON ; charset=utf-8', 'text/plain') },
    { weight: 2, arbitrary: fc.constantFrom(null, 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/html', 'application/json5', ';') },
    { weight: 1, arbitrary: printable },
  ),
  body: bodyArb,
  chunk: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
  declaredLength: fc.option(fc.oneof(fc.constantFrom('0', '1', '-5', 'abc', '1e9', '99999999999999999999', ''), fc.nat(30_000).map(String)), { nil: undefined }),
  origin: originArb,
  queryKey: fc.option(
    fc.oneof({ weight: 6, arbitrary: fc.constant('pk_1') }, { weight: 1, arbitrary: fc.constantFrom('pk_2', '', 'PK_1', 'pk_1 ') }, { weight: 1, arbitrary: printable }),
    { nil: undefined, freq: 4 },
  ),
  headerKey: fc.option(fc.oneof(fc.constantFrom('pk_1', 'pk_2', ''), printable), { nil: undefined }),
  userAgent: fc.option(fc.oneof(printable, fc.integer({ min: 500, max: 700 }).map((n) => 'U'.repeat(n))), { nil: undefined }),
  clientAddress: fc.option(fc.oneof(fc.constantFrom('198.51.100.7', '2001:db8::1', ''), printable, fc.constant('9'.repeat(100))), { nil: undefined }),
  realIp: fc.option(fc.oneof(fc.constantFrom('203.0.113.5, 10.0.0.1', ' , x', ''), printable), { nil: undefined }),
});
type Config = typeof configArb extends fc.Arbitrary<infer T> ? T : never;
type Req = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------- model

interface Expected {
  status: number;
  error?: string;
  /** Parsed events that must reach the sink, in order. */
  accepted: Record<string, unknown>[];
  rejected: number;
  /** Whether the body may be read at all. */
  reads: boolean;
}

function isValidEvent(raw: unknown): raw is Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const level = hasOwn(raw, 'level') ? (raw as { level: unknown }).level : undefined;
  if (typeof level !== 'string' || !LEVELS.includes(level)) return false;
  const msg = hasOwn(raw, 'msg') ? (raw as { msg: unknown }).msg : undefined;
  return msg === undefined || typeof msg === 'string';
}

/** The documented checks, in order (rate limiting aside: a 429 is checked on its own). */
function model(config: Config, req: Req, built: Request): Expected {
  const none = (status: number, error?: string, reads = false): Expected => ({ status, error, accepted: [], rejected: 0, reads });
  const origin = built.headers.get('origin');
  const allowed = config.allowedOrigins ?? [];
  if (origin !== null && allowed !== '*' && origin !== SELF && !allowed.includes(origin)) return none(403, 'origin-not-allowed');
  if (built.method === 'OPTIONS') return none(204);
  if (built.method !== 'POST') return none(405, 'method-not-allowed');
  const query = new URL(built.url).searchParams.get('key');
  const key = (query !== null && query !== '' ? query : built.headers.get('x-shiplog-key')) ?? ''; // an empty ?key= never wins
  if (config.publicKeys !== undefined && !config.publicKeys.includes(key)) return none(401, 'bad-key');
  const type = (built.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json' && type !== 'text/plain') return none(415, 'unsupported-content-type');
  const encoding = built.headers.get('content-encoding');
  if (encoding !== null && encoding.toLowerCase() !== 'identity') return none(415, 'unsupported-content-encoding');
  const max = config.maxBodyBytes ?? 1_048_576;
  if (Number(built.headers.get('content-length') ?? Number.NaN) > max) return none(413, 'body-too-large');
  const bytes = req.body.bytes;
  if (bytes !== null && bytes.byteLength > max) return none(413, 'body-too-large', true);
  if (bytes === null || bytes.byteLength === 0) return none(400, 'body-empty', true);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return none(400, 'body-bad-encoding', true);
  }
  let batch: unknown;
  try {
    batch = JSON.parse(text);
  } catch {
    return none(400, 'bad-json', true);
  }
  if (!Array.isArray(batch)) return none(400, 'not-an-array', true);
  if (batch.length > (config.maxEvents ?? 2000)) return none(413, 'too-many-events', true);
  if (batch.length === 0) return none(400, 'no-events', true);
  const accepted = batch.filter(isValidEvent);
  const rejected = batch.length - accepted.length;
  return accepted.length === 0 ? { status: 400, error: 'no-valid-events', accepted, rejected, reads: true } : { status: 204, accepted, rejected, reads: true };
}

// ---------------------------------------------------------------- harness

function build(req: Req): Request {
  const url = new URL(URL_BASE);
  if (req.queryKey !== undefined) url.searchParams.set('key', req.queryKey);
  const headers = new Headers();
  const set = (name: string, value: string | null | undefined): void => {
    if (value !== null && value !== undefined) headers.set(name, value);
  };
  set('content-type', req.contentType);
  set('content-encoding', req.body.encoding);
  set('content-length', req.declaredLength);
  set('origin', req.origin);
  set('x-shiplog-key', req.headerKey);
  set('user-agent', req.userAgent);
  set('x-real-ip', req.realIp);
  const noBody = req.method === 'GET' || req.method === 'HEAD' || req.body.bytes === null;
  const bytes = req.body.bytes ?? new Uint8Array(0);
  if (noBody) return new Request(url, { method: req.method, headers });
  if (req.chunk === undefined) return new Request(url, { method: req.method, headers, body: bytes });
  const size = req.chunk;
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
  return new Request(url, { method: req.method, headers, body: stream, duplex: 'half' } as RequestInit);
}

/** Top-level keys of a JSON object text, in order, duplicates included (the text is already valid JSON). */
function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      let j = i + 1;
      while (line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(line.slice(i, j + 1)) as string);
      expectKey = false;
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = depth === 1;
    } else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1) expectKey = true;
  }
  return keys;
}

/** JSON text with object keys sorted, to compare values the way they are written (-0 as 0). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) Object.defineProperty(out, k, { value: (v as Record<string, unknown>)[k], enumerable: true });
    return out;
  });
}

/** Whether the serializer writes `value` unchanged under these limits. */
function writtenAsIs(value: unknown, limits: Config['limits'], depth = 1): boolean {
  const maxDepth = limits?.maxDepth ?? 10;
  const maxString = limits?.maxStringLength ?? 10_000;
  if (typeof value === 'string') return value.length <= maxString;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= maxDepth) return false;
  const items = Array.isArray(value) ? value : Object.values(value);
  if (items.length > (Array.isArray(value) ? 100 : (limits?.maxKeys ?? 100))) return false;
  return items.every((item) => writtenAsIs(item, limits, depth + 1));
}

function clientTimeOf(raw: Record<string, unknown>, now: number): number | undefined {
  const t = hasOwn(raw, 'time') ? raw.time : undefined;
  const time = typeof t === 'number' ? t : typeof t === 'string' && t.length <= 40 ? Date.parse(t) : Number.NaN;
  const sane = Math.abs(time) <= 8.64e15 && time <= now + 300_000 && time >= now - 604_800_000;
  return sane ? time : undefined;
}

function checkLine(line: string, raw: Record<string, unknown>, req: Req, config: Config, built: Request, clientIp: string | undefined): void {
  const record = JSON.parse(line) as Record<string, unknown>;
  // The core's truncation marker "…" may meet a client field of that name (a core matter, not ingest's).
  const keys = topLevelKeys(line).filter((k) => k !== '…');
  expect(new Set(keys).size, `duplicate keys in ${line.slice(0, 300)}`).toBe(keys.length);
  expect(record.level).toBe(raw.level);
  if (typeof raw.msg === 'string') expect(typeof record.msg).toBe('string');
  else expect(hasOwn(record, 'msg')).toBe(false);
  // The server fields, always present and never the client's.
  expect(record.source).toBe('browser');
  expect(typeof record.receivedAt).toBe('string');
  const now = Date.parse(record.receivedAt as string);
  expect(new Date(now).toISOString()).toBe(record.receivedAt);
  const time = clientTimeOf(raw, now);
  expect(record.clientTime).toBe(new Date(time ?? now).toISOString());
  expect(record.timeAdjusted).toBe(time === undefined ? true : undefined);
  const ua = built.headers.get('user-agent')?.slice(0, 512) || undefined;
  expect(record.userAgent).toBe(ua);
  expect(record.clientIp).toBe(clientIp);
  // Client fields: every one kept under its documented name, unless the logger's limits cut it.
  // A line never exceeds maxEventBytes: one over it drops its earliest (client) fields, marked.
  expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(config.limits?.maxEventBytes ?? 65_536);
  const truncated = line.includes('[truncated keys]') || line.includes('[line cut to maxEventBytes]');
  const clientKeys = Object.keys(raw).filter((k) => !ENVELOPE.includes(k));
  if (truncated) return;
  for (const key of clientKeys) {
    const value = raw[key];
    const out = expectedKey(key);
    if (key === 'userAgent' && value === ua) {
      expect(hasOwn(record, out), 'the client user agent equal to the header is dropped').toBe(false);
      continue;
    }
    if ((key === 'service' || key === 'env' || key === 'version') && value === record[key]) {
      expect(hasOwn(record, out), `the client ${key} equal to the server's is dropped`).toBe(false);
      continue;
    }
    expect(hasOwn(record, out), `client field ${JSON.stringify(key)} written as ${JSON.stringify(out)} in ${line.slice(0, 300)}`).toBe(true);
    if (writtenAsIs(value, config.limits) && line.length < (config.limits?.maxEventBytes ?? 65_536) / 2) {
      expect(canonical(record[out])).toBe(canonical(value));
    }
  }
}

function expectedClientIp(config: Config, req: Req): string | undefined {
  const fromHeader = config.clientAddressHeader === undefined ? undefined : req.realIp?.trim();
  const address = fromHeader === undefined ? req.clientAddress : fromHeader.split(',').at(-1)?.trim(); // a proxy appends: the last entry
  return address === undefined || address === '' ? undefined : address.slice(0, 64);
}

interface Setup {
  handler: IngestHandler;
  sink: MemorySink;
  flush: () => Promise<unknown>;
}

function setup(config: Config): Setup {
  const sink = memorySink();
  const logger = createLogger({
    sinks: [sink],
    level: 'trace',
    service: 'ingest-test',
    env: 'test',
    version: '1',
    redact: { defaultKeys: false },
    maxBufferSize: 100_000,
    ...(config.limits === undefined ? {} : { limits: config.limits }),
  });
  const { limits: _limits, ...options } = config;
  // The endpoint's own origin is configured (the request's Host is never trusted for it).
  const handler = createIngestHandler({ logger, origins: [SELF], ...options } as IngestOptions);
  return { handler, sink, flush: () => logger.flush() };
}

async function runOne(setupped: Setup, config: Config, req: Req): Promise<void> {
  const { handler, sink } = setupped;
  const built = build(req);
  const expected = model(config, req, build(req));
  const before = handler.stats();
  const linesBefore = sink.events.length;
  let response: Response;
  try {
    response = await handler(built, req.clientAddress === undefined ? undefined : { clientAddress: req.clientAddress });
  } catch (error) {
    throw new Error(`the handler rejected: ${String(error)}`);
  }
  await setupped.flush();
  const after = handler.stats();
  const lines = sink.events.slice(linesBefore).map((e) => e.line);

  // Status and answer shape.
  expect(response.status).toBeLessThan(500);
  expect(STATUSES).toContain(response.status);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  const text = await response.text();
  seen.set(`${response.status} ${text}`, (seen.get(`${response.status} ${text}`) ?? 0) + 1);
  let error: string | undefined;
  if (response.status === 204) expect(text).toBe('');
  else {
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['error']);
    error = body.error as string;
    expect(ERRORS[error], `unknown error ${error}`).toBe(response.status);
  }

  const clientIp = expectedClientIp(config, req);
  if (response.status === 429) {
    expect(config.rateLimit).not.toBe(false);
    expect(clientIp).not.toBeUndefined();
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(after.bytesRead).toBe(before.bytesRead);
    expect(lines).toEqual([]);
    return;
  }
  expect({ status: response.status, error }).toEqual({ status: expected.status, error: expected.error });

  // Nothing beyond the cap is read; nothing at all before the body checks pass.
  const read = after.bytesRead - before.bytesRead;
  const max = config.maxBodyBytes ?? 1_048_576;
  if (!expected.reads) expect(read).toBe(0);
  else if (req.chunk !== undefined) expect(read).toBeLessThanOrEqual(max + req.chunk);

  // Counts: accepted + rejected = the items of a valid batch; each accepted event written once.
  const rejectedHeader = response.headers.get('x-shiplog-rejected');
  expect(rejectedHeader === null ? 0 : Number(rejectedHeader)).toBe(response.status === 204 ? expected.rejected : 0);
  expect(after.acceptedEvents - before.acceptedEvents).toBe(expected.accepted.length);
  expect(after.invalidEvents - before.invalidEvents).toBe(expected.rejected);
  expect(lines.length).toBe(expected.accepted.length);
  lines.forEach((line, i) => checkLine(line, expected.accepted[i] as Record<string, unknown>, req, config, built, clientIp));
}

/** Statuses seen, printed with INGEST_PROPERTY_STATS=1 (to check the generators reach every branch). */
const seen = new Map<string, number>();

describe('ingest handler (property)', () => {
  afterAll(() => {
    if (process.env.INGEST_PROPERTY_STATS) console.log(Object.fromEntries([...seen].sort()));
  });

  it('answers every random request as documented, and writes each accepted event once, whole', async () => {
    await fc.assert(
      fc.asyncProperty(configArb, fc.array(requestArb, { minLength: 1, maxLength: 3 }), async (config, requests) => {
        const setupped = setup(config);
        for (const req of requests) await runOne(setupped, config, req);
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTO_KEYS);
        expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
      }),
      { numRuns: 1500, interruptAfterTimeLimit: 9_000 },
    );
  });
});

describe('ingest handler (regressions found by the property)', () => {
  const post = (body: string): Request =>
    new Request(URL_BASE, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'UA' }, body: enc(body) });
  const config = { rateLimit: false } as Config;

  it('keeps both values of a client event carrying `source` and `_source` (or `service` and `_service`)', async () => {
    const { handler, sink, flush } = setup(config);
    const body = '[{"level":"info","source":"a","_source":"b","__source":"c","service":"s","_service":"t","userAgent":"UA","_userAgent":"other"}]';
    expect((await handler(post(body), { clientAddress: '198.51.100.7' })).status).toBe(204);
    await flush();
    const [line] = sink.events.map((e) => e.line) as [string];
    const keys = topLevelKeys(line);
    expect(new Set(keys).size).toBe(keys.length); // was: "_source" and "_service" twice, one value lost
    expect(JSON.parse(line)).toMatchObject({
      source: 'browser',
      _source: 'a',
      __source: 'b',
      ___source: 'c',
      service: 'ingest-test',
      _service: 's',
      __service: 't',
      userAgent: 'UA',
      __userAgent: 'other',
      clientIp: '198.51.100.7',
    });
    expect(JSON.parse(line)).not.toHaveProperty('_userAgent'); // the client's own user agent, equal to the header
  });

  it('drops the client service, env and version when the server logger writes the same values (no `_service` twin)', async () => {
    const { handler, sink, flush } = setup(config);
    // What a browser logger created with the same service/env/version sends, and one from another app.
    const body = '[{"level":"info","msg":"same","service":"ingest-test","env":"test","version":"1"},{"level":"info","msg":"other","service":"shop-web","env":"test","version":"2"}]';
    expect((await handler(post(body), { clientAddress: '198.51.100.7' })).status).toBe(204);
    await flush();
    const [same, other] = sink.events.map((e) => JSON.parse(e.line) as Record<string, unknown>);
    expect(same).toMatchObject({ msg: 'same', service: 'ingest-test', env: 'test', version: '1' });
    expect(Object.keys(same ?? {}).filter((key) => /^_+(service|env|version)$/.test(key))).toEqual([]);
    expect(other).toMatchObject({ msg: 'other', service: 'ingest-test', _service: 'shop-web', version: '1', _version: '2' });
    expect(other).not.toHaveProperty('_env');
  });

  it('writes the server fields however many keys or bytes the client fields take (default limits)', async () => {
    const { handler, sink, flush } = setup(config);
    const manyIntegerKeys = `{"level":"info",${Array.from({ length: 150 }, (_, i) => `"${i}":${i}`).join(',')}}`;
    const manyKeys = `{"level":"warn","source":"spoof",${Array.from({ length: 120 }, (_, i) => `"k${i}":${i}`).join(',')}}`;
    const bigValues = `{"level":"error",${Array.from({ length: 8 }, (_, i) => `"v${i}":"${'x'.repeat(9000)}"`).join(',')}}`;
    expect((await handler(post(`[${manyIntegerKeys},${manyKeys},${bigValues}]`))).status).toBe(204);
    await flush();
    const records = sink.records();
    expect(records).toHaveLength(3);
    for (const record of records) {
      // Were cut by the logger's maxKeys (100) / maxEventBytes (64 KB): the line had no `source`.
      expect(record).toMatchObject({ source: 'browser', receivedAt: expect.any(String), clientTime: expect.any(String), userAgent: 'UA' });
    }
    expect(records[1]).toMatchObject({ _source: 'spoof', '…': '[truncated keys]' });
  });
});
