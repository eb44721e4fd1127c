/**
 * Grafana Loki over its push API (JSON).
 * Docs: https://grafana.com/docs/loki/latest/reference/loki-http-api/#ingest-logs — POST
 * /loki/api/v1/push, `Content-Type: application/json`, body
 * `{"streams":[{"stream":{labels},"values":[["<unix epoch in nanoseconds>","<log line>"]]}]}`;
 * 204 = pushed. Loki itself has no auth: Grafana Cloud uses basic auth (instance id : token),
 * multi-tenant Loki the `X-Scope-OrgID` header.
 */
import type { Sink } from '../pipeline.js';
import { parseEvent, vendorSink, type ConnectorOptions } from './shared.js';

/** Options of {@link lokiSink}. */
export interface LokiSinkOptions extends ConnectorOptions {
  /** Loki base URL (e.g. `http://loki:3100` or `https://logs-prod-eu-west-0.grafana.net`); `/loki/api/v1/push` is appended. */
  url: string;
  /** Static labels on every stream. Keep them few and low-cardinality (never ids, paths or users). @default {} */
  labels?: Record<string, string>;
  /** Basic auth user (Grafana Cloud: the Loki instance id). @default undefined */
  username?: string;
  /** Basic auth password (Grafana Cloud: an access policy token). @default undefined */
  password?: string;
  /** Tenant for multi-tenant Loki (`X-Scope-OrgID`). @default undefined */
  tenant?: string;
}

/** Base64 of a UTF-8 string, with what every runtime has (btoa takes Latin-1 only). */
function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Loki: one stream per (service_name, env, level) plus your static labels, the only labels sent:
 * they are few and bounded, as Loki needs. Each value is the event's JSON line as is, so every
 * field (request id, status, …) is there for `| json` in LogQL, without being a label.
 */
export function lokiSink(options: LokiSinkOptions): Sink {
  const { url, labels = {}, username, password, tenant, ...delivery } = options;
  const headers: Record<string, string> = {};
  if (username !== undefined || password !== undefined) headers.authorization = `Basic ${base64(`${username ?? ''}:${password ?? ''}`)}`;
  if (tenant !== undefined) headers['x-scope-orgid'] = tenant;
  return vendorSink(options.name ?? 'loki', delivery, {
    url: `${url.replace(/\/+$/, '')}/loki/api/v1/push`,
    headers,
    contentType: 'application/json',
    body: (batch) => {
      const streams = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
      for (const event of batch) {
        const { record, level, ms } = parseEvent(event);
        const stream: Record<string, string> = { ...labels };
        if (typeof record.service === 'string') stream.service_name = record.service;
        if (typeof record.env === 'string') stream.env = record.env;
        stream.level = level;
        const key = JSON.stringify(stream);
        let entry = streams.get(key);
        if (entry === undefined) streams.set(key, (entry = { stream, values: [] }));
        entry.values.push([(BigInt(Math.floor(ms)) * 1_000_000n).toString(), event.line]);
      }
      return JSON.stringify({ streams: [...streams.values()] });
    },
  });
}
