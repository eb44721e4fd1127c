import type { RetryOptions } from '../../src/internal.js';
import { parseRetryAfter } from '../../src/internal.js';
import type { LogEvent } from '../../src/internal.js';
import type { BatchOptions, Sink, SinkContext } from '../../src/internal.js';
import { isRetryableStatus, utf8Length } from '../../src/internal.js';

/** Bytes the browser lets all in-flight keepalive requests and beacons of a page carry together. */
export const KEEPALIVE_QUOTA_BYTES = 65_536;

/** Options of {@link browserSink}. */
export interface BrowserSinkOptions {
  /** Ingest endpoint (absolute, or relative to the page); a development build checks it is a non-empty string. */
  url: string;
  /**
   * Public ingest key, appended to the URL as `?key=` so beacons (which carry no headers) have
   * it too. Anyone who can read the page can read it. @default undefined
   */
  publicKey?: string;
  /** Headers for fetch requests only; `sendBeacon` cannot carry any. @default {} */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** Largest request body in UTF-8 bytes; bigger batches are split. @default 60000 */
  maxRequestBytes?: number;
  /** Keepalive requests of this sink in flight at once; more go out without keepalive. @default 4 */
  maxKeepaliveInFlight?: number;
  /** Longest one request may take before it is aborted and retried. @default 10000 (the browser `createLogger` passes its `sendTimeoutMs`) */
  timeoutMs?: number;
  /** Batching. @default { size: 50, maxBytes: 56000, intervalMs: 5000 } */
  batch?: BatchOptions;
  /** Retries. @default the logger's */
  retry?: RetryOptions;
  /** Sink name in stats. @default 'browser' */
  name?: string;
  /** fetch implementation. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The browser's default sink: fetch keepalive while the page lives, beacons when it hides. */
export interface BrowserSink extends Sink {
  /**
   * Sends events at once, for a hiding page: beacons (fetch keepalive where `sendBeacon` is
   * missing or refuses), in chunks that fit the page's keepalive quota. Never waits. Returns
   * how many events, from the start, were handed to the browser.
   */
  sendNow(events: readonly LogEvent[], onLost: (events: readonly LogEvent[]) => void): number;
  /** False after a failed send (and while the browser says it is offline), until one succeeds. */
  readonly healthy: boolean;
  /**
   * The receiver said it drops events whose `eventId` it already has (`x-shiplog-dedupe: eventId`
   * on its last answer), so re-sending handed-off events is safe. False until it says so.
   */
  readonly receiverDedupes: boolean;
}

interface Chunk {
  body: string;
  bytes: number;
  events: readonly LogEvent[];
}

/** The longest run of events from `start` whose JSON-array body fits `maxBytes` UTF-8 bytes (at least one event). */
function chunkAt(events: readonly LogEvent[], start: number, maxBytes: number): Chunk {
  let body = '';
  let bytes = 2;
  let end = start;
  for (; end < events.length; end++) {
    const line = (events[end] as LogEvent).line;
    const size = utf8Length(line) + 1;
    if (end > start && bytes + size > maxBytes) break;
    body += end > start ? `,${line}` : line;
    bytes += size;
  }
  return { body: `[${body}]`, bytes, events: events.slice(start, end) };
}

/**
 * POSTs batches as JSON arrays with `keepalive: true` (so a request survives the page), split
 * by real UTF-8 size and within the browser's shared 64 KB keepalive quota. Without custom
 * headers the body goes as `text/plain`, a CORS-simple request that needs no preflight.
 */
export function browserSink(options: BrowserSinkOptions): BrowserSink {
  // Checked in development only, like the logger's options: a production bundle leaves it out.
  if (typeof process === 'object' && process.env.NODE_ENV !== 'production' && (typeof options?.url !== 'string' || options.url === '')) {
    throw new TypeError('shiplog: browserSink option "url" must be a non-empty string');
  }
  const key = options.publicKey;
  const url = key === undefined ? options.url : `${options.url}${options.url.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}`;
  const maxRequestBytes = options.maxRequestBytes ?? 60_000;
  const maxInFlight = options.maxKeepaliveInFlight ?? 4;
  /** Parts of a batch already delivered, so a retry after a partial failure sends no duplicates. */
  const progress = new WeakMap<readonly LogEvent[], number>();
  let inFlight = 0;
  let inFlightBytes = 0;
  let failed = false;
  let dedupes = false;

  /** POSTs one chunk; async, so a throwing headers() or fetch fails this send instead of its caller. */
  async function post(chunk: Chunk, signal?: AbortSignal): Promise<Response> {
    const keepalive = inFlight < maxInFlight && inFlightBytes + chunk.bytes <= KEEPALIVE_QUOTA_BYTES;
    if (keepalive) {
      inFlight++;
      inFlightBytes += chunk.bytes;
    }
    try {
      const extra = typeof options.headers === 'function' ? options.headers() : options.headers;
      const headers = { ...extra, 'content-type': extra === undefined ? 'text/plain;charset=UTF-8' : 'application/json' };
      return await (options.fetch ?? fetch)(url, { method: 'POST', body: chunk.body, headers, keepalive, signal } as RequestInit);
    } finally {
      if (keepalive) {
        inFlight--;
        inFlightBytes -= chunk.bytes;
      }
    }
  }

  async function write(batch: readonly LogEvent[], { signal }: SinkContext): Promise<void> {
    try {
      for (let sent = progress.get(batch) ?? 0; sent < batch.length; ) {
        const chunk = chunkAt(batch, sent, maxRequestBytes);
        const response = await post(chunk, signal);
        void response.body?.cancel().catch(() => undefined);
        dedupes = response.headers.get('x-shiplog-dedupe') === 'eventId';
        if (!response.ok) {
          const status = response.status;
          const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
          // A SinkError by shape (the class would add its weight to every page): the pipeline reads these fields.
          throw Object.assign(new Error(`HTTP ${status} from log endpoint`), { name: 'SinkError', status, retryable: isRetryableStatus(status), retryAfterMs });
        }
        sent += chunk.events.length;
        progress.set(batch, sent);
      }
      failed = false;
    } catch (error) {
      failed = true;
      throw error;
    }
  }

  function sendNow(events: readonly LogEvent[], onLost: (events: readonly LogEvent[]) => void): number {
    let taken = 0;
    let budget = KEEPALIVE_QUOTA_BYTES - inFlightBytes;
    while (taken < events.length) {
      const chunk = chunkAt(events, taken, Math.min(maxRequestBytes, budget));
      if (chunk.bytes > budget) break;
      let queued = false;
      try {
        queued = navigator.sendBeacon(url, chunk.body);
      } catch {
        // No sendBeacon (or no navigator), an invalid URL or a blocked beacon: fall back to fetch below.
      }
      if (!queued) {
        if (inFlight >= maxInFlight) break;
        post(chunk).then(
          (response) => !response.ok && onLost(chunk.events),
          () => onLost(chunk.events),
        );
      }
      budget -= chunk.bytes;
      taken += chunk.events.length;
    }
    return taken;
  }

  const sink: BrowserSink = {
    name: options.name ?? 'browser',
    timeoutMs: options.timeoutMs ?? 10_000,
    batch: { size: 50, maxBytes: 56_000, intervalMs: 5000, ...options.batch },
    write,
    sendNow,
    get healthy() {
      return !failed && (globalThis.navigator as Navigator | undefined)?.onLine !== false;
    },
    get receiverDedupes() {
      return dedupes;
    },
  };
  if (options.retry !== undefined) (sink as { retry?: RetryOptions }).retry = options.retry;
  return sink;
}
