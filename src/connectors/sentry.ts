/**
 * Sentry Logs through its envelope endpoint.
 * Docs: https://develop.sentry.dev/sdk/telemetry/logs/ (the `log` envelope item: header
 * `{"type":"log","item_count":N,"content_type":"application/vnd.sentry.items.log+json"}`, payload
 * `{"items":[…]}`, at most 100 logs per envelope; each log has `timestamp` (seconds), `trace_id`,
 * `level`, `body`, typed `attributes`) and https://develop.sentry.dev/sdk/foundations/transport/envelopes/
 * (POST /api/<project_id>/envelope/, `X-Sentry-Auth: Sentry sentry_version=7, sentry_key=…`).
 */
import { SEVERITY_NUMBER } from '../event.js';
import type { LogEvent } from '../event.js';
import type { Sink } from '../pipeline.js';
import { randomId } from '../request-info.js';
import { OTLP_SCOPE } from '../sinks/otlp-encode.js';
import { parseEvent, vendorSink, type ConnectorOptions } from './shared.js';

/** Options of {@link sentrySink}. */
export interface SentrySinkOptions extends ConnectorOptions {
  /** The project's DSN: `https://<public key>@<host>/<project id>`. */
  dsn: string;
}

/** A Sentry log attribute (typed, as the protocol requires). */
export type SentryAttribute = { value: string; type: 'string' } | { value: boolean; type: 'boolean' } | { value: number; type: 'integer' | 'double' };

/** Envelope URL and public key of a DSN; throws a TypeError for a DSN that is not one. */
export function parseDsn(dsn: string): { url: string; publicKey: string } {
  let parsed: URL;
  try {
    parsed = new URL(dsn);
  } catch {
    throw new TypeError('shiplog: sentrySink option "dsn" must be a Sentry DSN (https://<key>@<host>/<project>)');
  }
  const segments = parsed.pathname.split('/').filter(Boolean);
  const project = segments.pop();
  if (parsed.username === '' || project === undefined) throw new TypeError('shiplog: sentrySink option "dsn" must be a Sentry DSN (https://<key>@<host>/<project>)');
  const prefix = segments.length > 0 ? `/${segments.join('/')}` : '';
  return { url: `${parsed.protocol}//${parsed.host}${prefix}/api/${project}/envelope/`, publicKey: decodeURIComponent(parsed.username) };
}

/** Flattens fields into typed attributes: nested objects as dotted keys, arrays as JSON strings, null skipped. */
function attributes(record: Record<string, unknown>, prefix: string, out: Record<string, SentryAttribute>, depth = 0): void {
  for (const key in record) {
    const value = record[key];
    const name = `${prefix}${key}`;
    if (typeof value === 'string') out[name] = { value, type: 'string' };
    else if (typeof value === 'boolean') out[name] = { value, type: 'boolean' };
    else if (typeof value === 'number') out[name] = Number.isSafeInteger(value) ? { value, type: 'integer' } : { value, type: 'double' };
    else if (typeof value === 'object' && value !== null && !Array.isArray(value) && depth < 5) attributes(value as Record<string, unknown>, `${name}.`, out, depth + 1);
    else if (value !== null && value !== undefined) out[name] = { value: JSON.stringify(value), type: 'string' };
  }
}

const HEX32 = /^[\da-f]{32}$/i;
const HEX16 = /^[\da-f]{16}$/i;
/** Logs without a trace share this process's trace id (like an SDK's propagation context). */
let processTraceId: string | undefined;

/** One event as a Sentry log. */
export function toSentryLog(event: LogEvent): Record<string, unknown> {
  const { record, level, ms } = parseEvent(event);
  const { time: _t, level: _l, msg, traceId, spanId, env, version, ...fields } = record;
  const attrs: Record<string, SentryAttribute> = {
    'sentry.sdk.name': { value: OTLP_SCOPE.name, type: 'string' },
    'sentry.sdk.version': { value: OTLP_SCOPE.version, type: 'string' },
  };
  if (typeof env === 'string') attrs['sentry.environment'] = { value: env, type: 'string' };
  if (typeof version === 'string') attrs['sentry.release'] = { value: version, type: 'string' };
  attributes(fields, '', attrs);
  const trace = typeof traceId === 'string' && HEX32.test(traceId) ? traceId.toLowerCase() : (processTraceId ??= randomId().replaceAll('-', '').slice(0, 32).padEnd(32, '0'));
  const log: Record<string, unknown> = {
    timestamp: ms / 1000,
    trace_id: trace,
    level,
    severity_number: SEVERITY_NUMBER[level],
    body: typeof msg === 'string' ? msg : msg === undefined ? '' : JSON.stringify(msg),
    attributes: attrs,
  };
  if (typeof spanId === 'string' && HEX16.test(spanId) && trace === traceId) log.span_id = spanId.toLowerCase();
  return log;
}

/** Sentry: each batch (at most 100 logs) as one envelope with one `log` item. */
export function sentrySink(options: SentrySinkOptions): Sink {
  const { dsn, ...delivery } = options;
  const { url, publicKey } = parseDsn(dsn);
  return vendorSink(options.name ?? 'sentry', delivery, {
    url,
    headers: { 'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${publicKey}, sentry_client=${OTLP_SCOPE.name}/${OTLP_SCOPE.version}` },
    contentType: 'application/x-sentry-envelope',
    maxBatchSize: 100,
    body: (batch) => {
      const header = JSON.stringify({ sent_at: new Date().toISOString() });
      const item = JSON.stringify({ type: 'log', item_count: batch.length, content_type: 'application/vnd.sentry.items.log+json' });
      return `${header}\n${item}\n${JSON.stringify({ items: batch.map(toSentryLog) })}\n`;
    },
  });
}
