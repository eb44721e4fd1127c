import { parseRetryAfter } from '../backoff.js';
import type { LogEvent } from '../event.js';
import type { BatchOptions, Sink, SinkContext } from '../pipeline.js';
import type { RetryOptions } from '../backoff.js';
import { checkSinkOptionKeys, optionKeys } from '../options.js';
import { isRetryableStatus, SinkError } from '../sink-error.js';

/** The `process` global where a runtime has one, read only in the call-time development guard. */
declare const process: { env?: Record<string, string | undefined> } | undefined;

/** Options of {@link httpSink}. */
export interface HttpSinkOptions {
  /** Endpoint that receives batches. */
  url: string;
  /** Extra request headers (auth, API keys), or a function returning them per request. @default {} */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** `json`: a JSON array of events; `ndjson`: one event per line. @default 'json' */
  format?: 'json' | 'ndjson';
  /** Custom body encoding (e.g. OTLP); wins over `format`. @default undefined */
  encode?: { contentType: string; body(batch: readonly LogEvent[]): string };
  /** gzip request bodies with CompressionStream where the runtime has it. @default false */
  gzip?: boolean;
  /** Longest one request may take before it is aborted and retried. @default the logger's `sendTimeoutMs` (30000) */
  timeoutMs?: number;
  /** `keepalive` on requests (browsers: survive page unload, 64 KB budget). @default false */
  keepalive?: boolean;
  /** fetch implementation. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Batching for this sink; wins over the logger-wide option. @default the logger's */
  batch?: BatchOptions;
  /** Retries for this sink; wins over the logger-wide option. @default the logger's */
  retry?: RetryOptions;
  /** Sink name in stats. @default 'http' */
  name?: string;
}

/** Joins serialized events into a request body without parsing them again. */
export function encodeBatch(batch: readonly LogEvent[], format: 'json' | 'ndjson'): string {
  const ndjson = format === 'ndjson';
  let body = '';
  for (const event of batch) body += ndjson ? `${event.line}\n` : `,${event.line}`;
  return ndjson ? body : `[${body.slice(1)}]`;
}

async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

/**
 * @internal Every key of {@link HttpSinkOptions}, for the unknown-option check. Marked pure: only
 * the development check reads it, so a production bundle (which drops the check) drops the list.
 */
export const HTTP_SINK_KEYS = /* @__PURE__ */ optionKeys<HttpSinkOptions>({
  url: true, headers: true, format: true, encode: true, gzip: true, timeoutMs: true, keepalive: true, fetch: true, batch: true, retry: true, name: true,
});

/**
 * POSTs batches to an HTTP endpoint, each with an `Idempotency-Key` header that stays the same
 * across the batch's retries (events keep their `eventId` too). 2xx = delivered; 408, 429 and 5xx are retried (honouring
 * Retry-After); other statuses are final; network errors and timeouts are retried.
 */
export function httpSink(options: HttpSinkOptions): Sink {
  if (typeof options?.url !== 'string' || options.url === '') throw new TypeError('shiplog: httpSink option "url" must be a non-empty string');
  // Guarded here as well as inside: a production bundle then drops the reference, and with it the key list.
  if (typeof process === 'object' && process.env?.NODE_ENV !== 'production') checkSinkOptionKeys(options, HTTP_SINK_KEYS, 'httpSink');
  const format = options.format ?? 'json';
  const encode = options.encode ?? {
    contentType: format === 'ndjson' ? 'application/x-ndjson' : 'application/json',
    body: (batch: readonly LogEvent[]) => encodeBatch(batch, format),
  };
  return {
    name: options.name ?? 'http',
    timeoutMs: options.timeoutMs,
    async write(batch: readonly LogEvent[], { signal, idempotencyKey }: SinkContext): Promise<void> {
      let body: string | ArrayBuffer;
      const headers: Record<string, string> = {
        ...(typeof options.headers === 'function' ? options.headers() : options.headers),
        'content-type': encode.contentType,
        // The same on every retry of this batch: a receiver that saw it already can answer 2xx and skip it.
        'idempotency-key': idempotencyKey,
      };
      try {
        body = encode.body(batch);
        if (options.gzip === true && typeof CompressionStream === 'function') {
          body = await gzip(body);
          headers['content-encoding'] = 'gzip';
        }
      } catch (cause) {
        throw new SinkError('could not encode the batch', { retryable: false, cause });
      }
      const doFetch = options.fetch ?? globalThis.fetch;
      const init: RequestInit = { method: 'POST', headers, body, signal };
      if (options.keepalive === true) init.keepalive = true;
      const response = await doFetch(options.url, init);
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) return;
      const { status } = response;
      throw new SinkError(`HTTP ${status} from log endpoint`, {
        status,
        retryable: isRetryableStatus(status),
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      });
    },
    ...(options.batch ? { batch: options.batch } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
  };
}
