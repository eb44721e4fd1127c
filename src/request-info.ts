import { activeSpanContext } from './otel-context.js';

/** Anything `logger.request()` accepts: a fetch Request, a Node IncomingMessage, or a plain shape. */
export interface RequestLike {
  method?: string;
  /** Absolute URL or path (query strings are never logged). */
  url?: string;
  /** A Headers object or a record of header values (Node style). */
  headers?: Headers | { get(name: string): string | null } | Record<string, string | string[] | undefined>;
}

/** What a request contributes to its logger: correlation ids, method and path. */
export interface RequestInfo {
  requestId: string;
  traceId?: string;
  spanId?: string;
  /** W3C trace flags (bit 0: sampled), with the trace id. */
  traceFlags?: number;
  method?: string;
  path?: string;
}

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})/i;

/** Reads one header from any supported headers shape. */
export function readHeader(headers: RequestLike['headers'], name: string): string | undefined {
  if (headers === undefined || headers === null) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A random id: crypto.randomUUID where it works (it is missing on insecure browser origins and
 * throws at Workers global scope), else Math.random hex. Never throws.
 */
export function randomId(): string {
  try {
    return (globalThis as { crypto: { randomUUID(): string } }).crypto.randomUUID();
  } catch {
    // fall through to a non-cryptographic id: correlation only needs uniqueness, not secrecy
  }
  let id = '';
  for (let i = 0; i < 32; i++) id += ((Math.random() * 16) | 0).toString(16);
  return id;
}

/**
 * The path of an http(s) URL serialized by the URL parser (a fetch `Request`'s `url`), by string
 * search: parsing it again with `new URL` was a measurable part of a Worker's per-request cost.
 */
function serializedPath(url: string): string {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  if (slash < 0) return '/';
  const query = url.indexOf('?', slash);
  const hash = url.indexOf('#', slash);
  const end = query < 0 ? hash : hash < 0 ? query : Math.min(query, hash);
  return end < 0 ? url.slice(slash) : url.slice(slash, end);
}

function isFetchRequest(req: unknown): req is Request {
  return typeof Request === 'function' && req instanceof Request;
}

function pathOf(url: unknown, serialized: boolean): string | undefined {
  if (typeof url !== 'string') return undefined;
  if (serialized && (url.startsWith('https://') || url.startsWith('http://'))) return serializedPath(url);
  if (!/^[a-z][a-z\d+.-]*:/i.test(url)) return url.split(/[?#]/)[0];
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

/**
 * Correlation ids and request line: the request id comes from `x-request-id`, then `cf-ray`,
 * then the W3C `traceparent` trace id, else a new random id. Trace ids come from the active
 * OpenTelemetry span when an OTel API is registered globally, else from `traceparent`. Never throws.
 */
export function requestInfo(req: RequestLike | null | undefined): RequestInfo {
  try {
    const headers = req?.headers;
    const trace = TRACEPARENT.exec(readHeader(headers, 'traceparent') ?? '');
    const info: RequestInfo = {
      requestId: readHeader(headers, 'x-request-id') ?? readHeader(headers, 'cf-ray') ?? trace?.[1] ?? randomId(),
    };
    // The active OpenTelemetry span (when an OTel API is registered) wins over the header.
    const span = activeSpanContext();
    if (span) Object.assign(info, span);
    else if (trace) {
      info.traceId = (trace[1] as string).toLowerCase();
      info.spanId = (trace[2] as string).toLowerCase();
      info.traceFlags = Number.parseInt(trace[3] as string, 16);
    }
    // Each property read once: on a fetch Request they are getters into the runtime.
    const method = req?.method;
    if (typeof method === 'string') info.method = method.toUpperCase();
    const path = pathOf(req?.url, isFetchRequest(req));
    if (path !== undefined) info.path = path;
    return info;
  } catch {
    return { requestId: randomId() };
  }
}
