/**
 * Better Stack (Logs) over its HTTP REST API.
 * Docs: https://betterstack.com/docs/logs/http-rest-api/ — POST https://$INGESTING_HOST with
 * `Authorization: Bearer $SOURCE_TOKEN`, `Content-Type: application/json`, a JSON array of
 * events; the event time goes in `dt` (RFC 3339 or UNIX time), 202 = logged.
 */
import type { Sink } from '../pipeline.js';
import { jsonArray, omit, vendorSink, type ConnectorOptions } from './shared.js';

/** Options of {@link betterStackSink}. */
export interface BetterStackSinkOptions extends ConnectorOptions {
  /** The source token of a Better Stack HTTP source. */
  sourceToken: string;
  /** The source's ingesting host (shown with the token), or a full URL. @default 'in.logs.betterstack.com' */
  host?: string;
}

/**
 * Better Stack: each event as a JSON object with `dt` (the event time, RFC 3339), `message`
 * (the msg), `level` as written, and every other field as is.
 */
export function betterStackSink(options: BetterStackSinkOptions): Sink {
  const host = options.host ?? 'in.logs.betterstack.com';
  const { sourceToken, host: _host, ...delivery } = options;
  return vendorSink(options.name ?? 'betterstack', delivery, {
    url: /^https?:\/\//.test(host) ? host : `https://${host}`,
    headers: { authorization: `Bearer ${sourceToken}` },
    contentType: 'application/json',
    body: jsonArray(({ record, level, ms }) => ({ dt: new Date(ms).toISOString(), message: record.msg, level, ...omit(record, ['time', 'msg', 'level']) })),
  });
}
