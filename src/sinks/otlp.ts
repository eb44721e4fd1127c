/**
 * `shiplog/otlp`: events to any OpenTelemetry Collector (and every backend that speaks OTLP)
 * over OTLP/HTTP with JSON encoding.
 */
import type { LogEvent } from '../event.js';
import { checkOptionKeys, optionKeys, type EnvironmentVariables } from '../options.js';
import type { Sink } from '../pipeline.js';
import { SinkError } from '../sink-error.js';
import { encodeOtlp } from './otlp-encode.js';
import { HTTP_SINK_KEYS, httpSink, type HttpSinkOptions } from './http.js';

export { anyValue, encodeOtlp, keyValues, toLogRecord, OTLP_SCOPE, type AnyValue, type KeyValue, type OtlpLogRecord, type EncodeOtlpOptions } from './otlp-encode.js';

/** Options of {@link otlpSink}: those of `httpSink` except the body format. */
export interface OtlpSinkOptions extends Omit<HttpSinkOptions, 'format' | 'encode' | 'url' | 'gzip'> {
  /**
   * OTLP/HTTP logs endpoint. @default `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`, else
   * `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/logs`, else `http://localhost:4318/v1/logs`
   */
  url?: string;
  /**
   * Resource attributes; they win over the events' `service.name`, `deployment.environment.name`
   * and `service.version`, which win over `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`.
   * @default {}
   */
  resource?: Record<string, string | number | boolean>;
  /**
   * gzip request bodies where the runtime has CompressionStream (`OTEL_EXPORTER_OTLP_COMPRESSION`
   * / `_LOGS_COMPRESSION`: `gzip` or `none`). @default true
   */
  gzip?: boolean;
  /** Where `OTEL_*` variables are read (a Workers `env`). @default process.env where it exists */
  vars?: EnvironmentVariables;
  /**
   * Told when the collector answers with `partialSuccess` (some records rejected). A batch the
   * collector rejected entirely is dropped with reason `rejected`. @default undefined
   */
  onPartialSuccess?: (rejectedLogRecords: number, errorMessage: string, batchSize: number) => void;
}

/** `key1=value1,key2=value2` with percent-encoded values (the OTel SDK environment format). */
export function parseKeyValueList(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const key = pair.slice(0, at).trim();
    const raw = pair.slice(at + 1).trim();
    if (key === '') continue;
    try {
      out[key] = decodeURIComponent(raw);
    } catch {
      out[key] = raw;
    }
  }
  return out;
}

function variable(vars: EnvironmentVariables, name: string): string | undefined {
  const value = vars[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The logs endpoint from options or the standard variables (the signal-specific one is used as is). */
function endpointOf(url: string | undefined, vars: EnvironmentVariables): string {
  if (url !== undefined) return url;
  const logs = variable(vars, 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT');
  if (logs !== undefined) return logs;
  const base = variable(vars, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (base !== undefined) return `${base.replace(/\/+$/, '')}/v1/logs`;
  return 'http://localhost:4318/v1/logs';
}

/** What the OTLP settings resolve to at creation (exported for tests and tools). */
export interface ResolvedOtlpSettings {
  url: string;
  headers: Record<string, string>;
  base: Record<string, string>;
  gzip: boolean;
}

/**
 * Reads `OTEL_EXPORTER_OTLP_ENDPOINT`, `…_LOGS_ENDPOINT`, `…_HEADERS`, `…_LOGS_HEADERS`,
 * `…_COMPRESSION`, `…_LOGS_COMPRESSION`, `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`
 * now (never at import). Options given in code win, as in the OpenTelemetry SDKs.
 */
export function resolveOtlpSettings(options: Pick<OtlpSinkOptions, 'url' | 'gzip' | 'vars'> = {}): ResolvedOtlpSettings {
  const vars = options.vars ?? (globalThis as { process?: { env?: EnvironmentVariables } }).process?.env ?? {};
  const headers = {
    ...parseKeyValueList(variable(vars, 'OTEL_EXPORTER_OTLP_HEADERS')),
    ...parseKeyValueList(variable(vars, 'OTEL_EXPORTER_OTLP_LOGS_HEADERS')),
  };
  const base = parseKeyValueList(variable(vars, 'OTEL_RESOURCE_ATTRIBUTES'));
  const service = variable(vars, 'OTEL_SERVICE_NAME');
  if (service !== undefined) base['service.name'] = service;
  const compression = variable(vars, 'OTEL_EXPORTER_OTLP_LOGS_COMPRESSION') ?? variable(vars, 'OTEL_EXPORTER_OTLP_COMPRESSION');
  const gzip = options.gzip ?? compression !== 'none';
  return { url: endpointOf(options.url, vars), headers, base, gzip };
}

/** `partialSuccess` of an ExportLogsServiceResponse, when the body has one with rejections. */
async function partialSuccess(response: Response): Promise<{ rejected: number; message: string } | undefined> {
  if (!(response.headers.get('content-type') ?? '').includes('json')) return undefined;
  const body = (await response.clone().json().catch(() => undefined)) as { partialSuccess?: { rejectedLogRecords?: unknown; errorMessage?: unknown } } | undefined;
  const partial = body?.partialSuccess;
  // int64 in OTLP/JSON: a decimal string, though some servers write a number.
  const rejected = Number(partial?.rejectedLogRecords ?? 0);
  if (!Number.isSafeInteger(rejected) || rejected <= 0) return undefined;
  return { rejected, message: typeof partial?.errorMessage === 'string' ? partial.errorMessage : '' };
}

/** Every key of {@link OtlpSinkOptions}, for the unknown-option check. */
const OTLP_SINK_KEYS = [
  ...HTTP_SINK_KEYS.filter((key) => key !== 'format' && key !== 'encode'),
  ...optionKeys<Pick<OtlpSinkOptions, 'resource' | 'vars' | 'onPartialSuccess'>>({ resource: true, vars: true, onPartialSuccess: true }),
];

/**
 * Exports events to any OpenTelemetry Collector (then Loki, ClickHouse, a vendor) over
 * OTLP/HTTP JSON, gzip by default. Same delivery rules as `httpSink`: retries on 408/429/5xx,
 * Retry-After. A response whose `partialSuccess` rejects every record of the batch drops it with
 * reason `rejected` (the collector will never take it); fewer rejections are reported to
 * `onPartialSuccess`, since OTLP does not say which records they were.
 */
export function otlpSink(options: OtlpSinkOptions = {}): Sink {
  checkOptionKeys(options ?? {}, OTLP_SINK_KEYS, 'otlpSink');
  const { resource, vars: _vars, onPartialSuccess, url: _url, gzip: _gzip, headers, fetch: userFetch, ...http } = options;
  const settings = resolveOtlpSettings(options);
  /** The fetch of one write: knows its batch's size to judge `partialSuccess`. */
  const checkedFetch =
    (batchSize: number): typeof fetch =>
    async (input, init) => {
      const response = await (userFetch ?? globalThis.fetch)(input, init);
      if (!response.ok) return response;
      const partial = await partialSuccess(response);
      if (partial === undefined) return response;
      if (partial.rejected >= batchSize) {
        throw new SinkError(`collector rejected all ${batchSize} log records: ${partial.message}`, { retryable: false, status: response.status });
      }
      try {
        onPartialSuccess?.(partial.rejected, partial.message, batchSize);
      } catch {
        // a throwing callback must not turn a delivered batch into a retry
      }
      return response;
    };
  const make = (fetchImpl: typeof fetch): Sink =>
    httpSink({
      name: 'otlp',
      ...http,
      url: settings.url,
      gzip: settings.gzip,
      fetch: fetchImpl,
      headers: () => ({ ...settings.headers, ...(typeof headers === 'function' ? headers() : headers) }),
      encode: { contentType: 'application/json', body: (batch: readonly LogEvent[]) => encodeOtlp(batch, { base: settings.base, resource }) },
    });
  const sink = make(checkedFetch(Number.POSITIVE_INFINITY)); // validates the options now
  // One http sink per write (a few properties): concurrent pipelines sharing this sink (one per
  // Workers invocation) each judge the response against their own batch.
  return { ...sink, write: (batch, context) => make(checkedFetch(batch.length)).write(batch, context) };
}
