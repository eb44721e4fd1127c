/**
 * `shiplog/ingest`: a fetch handler that receives browser batches and writes them to a
 * server-side logger. It is a public endpoint, so every input is treated as hostile: bodies are
 * capped while streaming, every event is validated and bounded, reserved fields cannot be
 * spoofed, origins and keys are checked, clients are rate limited, and nothing is echoed back.
 */
import type { Logger } from './logger.js';
import type { Fields } from './options.js';
import { corsHeaders, isOriginAllowed, type AllowedOrigins } from './ingest/cors.js';
import { DEDUPE_HEADER, RecentIds, type DedupeOptions } from './ingest/dedupe.js';
import { TokenBuckets, type RateLimitOptions } from './ingest/rate-limit.js';
import { readBodyCapped } from './ingest/read-body.js';
import { validateEvent, type ClockOptions } from './ingest/validate-event.js';

export type { AllowedOrigins } from './ingest/cors.js';
export type { RateLimitOptions } from './ingest/rate-limit.js';
export { DEDUPE_DEFAULTS, DEDUPE_HEADER, type DedupeOptions } from './ingest/dedupe.js';
export { INGEST_RESERVED_KEYS, type ClockOptions } from './ingest/validate-event.js';

/** Options of {@link createIngestHandler}. */
export interface IngestOptions {
  /** Where accepted events go (any sinks). Each is logged at its own level with the client's fields. */
  logger: Logger;
  /** Browser origins allowed besides the endpoint's own; `'*'` allows any. @default [] */
  allowedOrigins?: AllowedOrigins;
  /**
   * The endpoint's own origin(s) (`https://app.example`), for pages served from the same site.
   * Configured, never taken from the request: its Host header is the client's to choose (DNS
   * rebinding). A request with an `Origin` that is neither here nor in `allowedOrigins` gets 403.
   * @default [] (no same-origin shortcut)
   */
  origins?: readonly string[];
  /**
   * Public ingest keys; when set, a request must carry one as `?key=` (beacons) or the
   * `x-shiplog-key` header. A public key is not a secret (it ships in the page): it only
   * keeps casual noise out. @default undefined (no key needed)
   */
  publicKeys?: readonly string[];
  /** Largest body read; reading stops at the cap and the request gets 413. @default 1048576 (1 MB) */
  maxBodyBytes?: number;
  /** Most events per request; more gets 413. @default 2000 */
  maxEvents?: number;
  /** The whole body must arrive within this; a trickling client gets 408 and its stream is cancelled. @default 10000 */
  readTimeoutMs?: number;
  /**
   * Per-client token buckets for requests, body bytes and events; `false` turns them off.
   * @default { burst: 30, perSecond: 5, burstBytes: 1048576, bytesPerSecond: 65536, burstEvents: 2000, eventsPerSecond: 100, maxClients: 10000 }
   */
  rateLimit?: RateLimitOptions | false;
  /**
   * Header holding the client address, set by a proxy you trust (`x-real-ip`,
   * `cf-connecting-ip`); if it holds a list, its last entry is used. Never trust a header a
   * client can set directly. On Cloudflare Workers (a request with `cf` properties)
   * `cf-connecting-ip` is used without configuration, since Cloudflare sets it. A request whose
   * client cannot be identified is not rate limited (one shared bucket would throttle every
   * visitor at once) and is counted in `stats().unidentifiedClients`.
   * @default undefined (the `clientAddress` passed to the handler)
   */
  clientAddressHeader?: string;
  /**
   * Proxies in front of the endpoint that append to `x-forwarded-for`. The client is the entry
   * this many places from the right (each trusted proxy appends the address it saw; entries
   * further left are the client's to forge). 0: `x-forwarded-for` is ignored. @default 0
   */
  trustedProxies?: number;
  /** Which client clock readings are believed. @default { maxFutureMs: 300000, maxAgeMs: 604800000 } */
  clock?: ClockOptions;
  /**
   * Drop events whose `eventId` was accepted within the window (answered as accepted, counted in
   * `stats().duplicateEvents`), and say so in every answer (`x-shiplog-dedupe: eventId`), so
   * clients know re-sending is safe. `false` turns it off. @default { maxIds: 100000, windowMs: 600000 }
   */
  dedupe?: DedupeOptions | false;
}

/** Per-call information a server adapter knows and a Request does not. */
export interface IngestRequestInfo {
  /** The socket's remote address (e.g. from `@hono/node-server`'s `c.env.incoming.socket`). */
  clientAddress?: string | undefined;
}

/** Counters of an ingest handler. */
export interface IngestStats {
  requests: number;
  /** Responses by status code. */
  byStatus: Record<number, number>;
  /** Events written to the logger. */
  acceptedEvents: number;
  /** Events dropped because their `eventId` was already accepted (answered as accepted). */
  duplicateEvents: number;
  /** Events refused inside otherwise valid batches (unknown level, not an object, …). */
  invalidEvents: number;
  /** Events whose client time was replaced by server time. */
  adjustedTimes: number;
  /** Body bytes read, over all requests (never more than the cap per request). */
  bytesRead: number;
  /** Clients tracked by the rate limiter. */
  trackedClients: number;
  /** Requests whose client address was unknown (no `clientAddress`, no trusted header): not rate limited. */
  unidentifiedClients: number;
}

/** A fetch handler (`(request) => Promise<Response>`) with counters. Never rejects. */
export interface IngestHandler {
  (request: Request, info?: IngestRequestInfo): Promise<Response>;
  stats(): IngestStats;
}

const MAX_ADDRESS_LENGTH = 64;
const MAX_USER_AGENT_LENGTH = 512;

function reply(status: number, error: string | undefined, headers: Record<string, string>): Response {
  const all: Record<string, string> = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers };
  if (error === undefined) return new Response(null, { status, headers: all });
  all['content-type'] = 'application/json';
  return new Response(`{"error":"${error}"}`, { status, headers: all });
}

/** Entry `fromRight` places from the right of a comma-separated list (1 = last). */
function fromRight(list: string, fromRight: number): string | undefined {
  const entries = list.split(',');
  return entries[Math.max(0, entries.length - fromRight)]?.trim();
}

function clientAddress(
  request: Request,
  info: IngestRequestInfo | undefined,
  configured: string | undefined,
  trustedProxies: number,
): string | undefined {
  const header = configured ?? ((request as { cf?: unknown }).cf === undefined ? undefined : 'cf-connecting-ip');
  const fromHeader = header === undefined ? null : request.headers.get(header);
  const forwarded = trustedProxies > 0 ? request.headers.get('x-forwarded-for') : null;
  const address =
    fromHeader !== null
      ? fromRight(fromHeader, header === 'x-forwarded-for' ? Math.max(1, trustedProxies) : 1)
      : forwarded !== null
        ? fromRight(forwarded, trustedProxies)
        : info?.clientAddress;
  return address === undefined || address === '' ? undefined : address.slice(0, MAX_ADDRESS_LENGTH);
}

/** The public key: `?key=` when it is not empty (beacons cannot set headers), else the header. */
function keyOf(request: Request, url: URL): string | null {
  const query = url.searchParams.get('key');
  return query !== null && query !== '' ? query : request.headers.get('x-shiplog-key');
}

/** Events written between two yields to the event loop, so one large batch never holds it for long. */
const EVENTS_PER_SLICE = 50;
const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function checkInteger(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`shiplog: createIngestHandler option "${name}" must be an integer >= 1; got ${String(value)}`);
  }
  return value;
}

function isStringArray(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

const BODY_STATUS = { 'too-large': 413, timeout: 408, empty: 400, 'bad-encoding': 400, unreadable: 400 } as const;

function isAcceptedContentType(value: string | null): boolean {
  const type = (value ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'application/json' || type === 'text/plain';
}

const IDENTITY_KEYS = ['service', 'env', 'version'] as const;

/**
 * The service, env and version `logger` writes on every event. Read from the logger's serialized
 * head (`,"service":…`), the one place they are kept; empty when it cannot be read.
 */
function identityOf(logger: Logger): Fields {
  const head = (logger as unknown as { core?: { head?: unknown } }).core?.head;
  try {
    return typeof head === 'string' && head.startsWith(',') ? (JSON.parse(`{${head.slice(1)}}`) as Fields) : {};
  } catch {
    return {};
  }
}

/**
 * Creates the endpoint that receives browser batches (a JSON array of events, sent as
 * `application/json` by fetch or `text/plain` by `sendBeacon`). Mount it on any fetch-style
 * server: Hono on Node, a Worker, an edge function. Answers 204 (the header
 * `x-shiplog-rejected` counts refused events), or 4xx with a short JSON reason; 500 only if
 * something unforeseen happens. Accepted events are logged with `source: "browser"`,
 * `receivedAt`, `clientTime`, `userAgent` and `clientIp` (when known).
 */
export function createIngestHandler(options: IngestOptions): IngestHandler {
  const logger = options?.logger;
  if (typeof logger?.info !== 'function') throw new TypeError('shiplog: createIngestHandler option "logger" must be a Logger');
  const identity = identityOf(logger);
  const allowed = options.allowedOrigins ?? [];
  if (allowed !== '*' && !isStringArray(allowed)) throw new TypeError('shiplog: createIngestHandler option "allowedOrigins" must be an array of origins or "*"');
  const ownOrigins = options.origins ?? [];
  if (!isStringArray(ownOrigins)) throw new TypeError('shiplog: createIngestHandler option "origins" must be an array of origins');
  const keys = options.publicKeys;
  if (keys !== undefined && !isStringArray(keys)) throw new TypeError('shiplog: createIngestHandler option "publicKeys" must be an array of strings');
  // At least what one flush of a default logger sends (batch.maxBytes 512 KiB, any count): a
  // shiplog sender must never be refused by a shiplog receiver at their defaults.
  const maxBodyBytes = checkInteger('maxBodyBytes', options.maxBodyBytes) ?? 1_048_576;
  const maxEvents = checkInteger('maxEvents', options.maxEvents) ?? 2000;
  const readTimeoutMs = checkInteger('readTimeoutMs', options.readTimeoutMs) ?? 10_000;
  const trustedProxies = options.trustedProxies ?? 0;
  if (!(Number.isInteger(trustedProxies) && trustedProxies >= 0)) {
    throw new RangeError(`shiplog: createIngestHandler option "trustedProxies" must be an integer >= 0; got ${String(trustedProxies)}`);
  }
  if (options.rateLimit) {
    for (const key of ['burst', 'maxClients', 'burstBytes', 'burstEvents'] as const) checkInteger(`rateLimit.${key}`, options.rateLimit[key]);
    for (const key of ['perSecond', 'bytesPerSecond', 'eventsPerSecond'] as const) {
      const rate = options.rateLimit[key];
      if (rate !== undefined && !(typeof rate === 'number' && rate >= 0 && rate < Infinity)) {
        throw new RangeError(`shiplog: createIngestHandler option "rateLimit.${key}" must be a number >= 0; got ${String(rate)}`);
      }
    }
  }
  const limiter = options.rateLimit === false ? undefined : new TokenBuckets(options.rateLimit);
  const clock = { maxFutureMs: 300_000, maxAgeMs: 604_800_000, ...options.clock };
  for (const key of ['maxIds', 'windowMs'] as const) if (options.dedupe) checkInteger(`dedupe.${key}`, options.dedupe[key]);
  const recent = options.dedupe === false ? undefined : new RecentIds(options.dedupe);
  const stats: Omit<IngestStats, 'trackedClients'> = {
    requests: 0,
    byStatus: {},
    acceptedEvents: 0,
    duplicateEvents: 0,
    invalidEvents: 0,
    adjustedTimes: 0,
    bytesRead: 0,
    unidentifiedClients: 0,
  };

  async function handle(request: Request, info: IngestRequestInfo | undefined): Promise<Response> {
    const origin = request.headers.get('origin');
    const url = new URL(request.url);
    if (!isOriginAllowed(origin, ownOrigins, allowed)) return reply(403, 'origin-not-allowed', { vary: 'Origin' });
    const cors = corsHeaders(origin, request.method === 'OPTIONS');
    if (request.method === 'OPTIONS') return reply(204, undefined, cors);
    if (request.method !== 'POST') return reply(405, 'method-not-allowed', { ...cors, allow: 'POST, OPTIONS' });
    if (keys !== undefined && !keys.includes(keyOf(request, url) ?? '')) return reply(401, 'bad-key', cors);
    const address = clientAddress(request, info, options.clientAddressHeader, trustedProxies);
    const now = Date.now();
    if (address === undefined) stats.unidentifiedClients++;
    const waitMs = address === undefined ? 0 : (limiter?.take(address, now) ?? 0);
    if (waitMs > 0) return reply(429, 'rate-limited', { ...cors, 'retry-after': String(Math.min(3600, Math.ceil(waitMs / 1000))) });
    if (!isAcceptedContentType(request.headers.get('content-type'))) return reply(415, 'unsupported-content-type', cors);
    const encoding = request.headers.get('content-encoding');
    if (encoding !== null && encoding.toLowerCase() !== 'identity') return reply(415, 'unsupported-content-encoding', cors);

    const body = await readBodyCapped(request, maxBodyBytes, readTimeoutMs);
    stats.bytesRead += body.bytes;
    if (address !== undefined) limiter?.charge(address, body.bytes, 0);
    if (!body.ok) return reply(BODY_STATUS[body.reason], body.reason === 'too-large' ? 'body-too-large' : `body-${body.reason}`, cors);
    let batch: unknown;
    try {
      batch = JSON.parse(body.text);
    } catch {
      return reply(400, 'bad-json', cors);
    }
    if (!Array.isArray(batch)) return reply(400, 'not-an-array', cors);
    if (batch.length > maxEvents) return reply(413, 'too-many-events', cors);
    if (batch.length === 0) return reply(400, 'no-events', cors);
    if (address !== undefined) limiter?.charge(address, 0, batch.length);

    const server = {
      source: 'browser',
      receivedAt: new Date(now).toISOString(),
      userAgent: (request.headers.get('user-agent') ?? '').slice(0, MAX_USER_AGENT_LENGTH) || undefined,
      clientIp: address,
    };
    let accepted = 0;
    let duplicates = 0;
    for (let index = 0; index < batch.length; index++) {
      // Other clients' requests get the event loop between slices of a large batch.
      if (index > 0 && index % EVENTS_PER_SLICE === 0) await nextTask();
      const raw: unknown = batch[index];
      const event = validateEvent(raw, now, clock);
      if (event === undefined) continue;
      if (recent?.isDuplicate(event.fields.eventId, now) === true) {
        duplicates++;
        continue;
      }
      accepted++;
      const fields = event.fields;
      // The browser runtime sends its own user agent; keep it only when it disagrees with the header.
      if (fields._userAgent === server.userAgent) delete fields._userAgent;
      // Likewise the client's service, env and version, when the server logger writes the same value.
      for (const key of IDENTITY_KEYS) if (fields[`_${key}`] !== undefined && fields[`_${key}`] === identity[key]) delete fields[`_${key}`];
      const own: Fields = { ...server, clientTime: new Date(event.time).toISOString() };
      if (event.timeAdjusted) {
        own.timeAdjusted = true;
        stats.adjustedTimes++;
      }
      // The client's fields are bound (serialized on their own, within the logger's limits) and the
      // server's are the call's fields: a client with many keys (integer-like ones are written
      // first) or large values cannot push `source`, `receivedAt`… past the logger's maxKeys or
      // maxEventBytes and out of the event.
      logger.child(fields)[event.level](own, event.msg);
    }
    const rejected = batch.length - accepted - duplicates;
    stats.acceptedEvents += accepted;
    stats.duplicateEvents += duplicates;
    stats.invalidEvents += rejected;
    if (accepted + duplicates === 0) return reply(400, 'no-valid-events', cors);
    return reply(204, undefined, rejected > 0 ? { ...cors, 'x-shiplog-rejected': String(rejected) } : cors);
  }

  const handler = async (request: Request, info?: IngestRequestInfo): Promise<Response> => {
    stats.requests++;
    let response: Response;
    try {
      response = await handle(request, info);
    } catch {
      response = reply(500, 'internal', {});
    }
    if (recent !== undefined) {
      response.headers.set(DEDUPE_HEADER, 'eventId');
      // A cross-origin page may read it (the browser sink learns from it that re-sending is safe).
      if (response.headers.has('access-control-allow-origin')) response.headers.set('access-control-expose-headers', DEDUPE_HEADER);
    }
    stats.byStatus[response.status] = (stats.byStatus[response.status] ?? 0) + 1;
    return response;
  };
  return Object.assign(handler, {
    stats: (): IngestStats => ({ ...stats, byStatus: { ...stats.byStatus }, trackedClients: limiter?.size ?? 0 }),
  });
}
