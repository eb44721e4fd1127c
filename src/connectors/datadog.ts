/**
 * Datadog Logs over the HTTP intake (v2).
 * Docs: https://docs.datadoghq.com/api/latest/logs/send-logs/ — POST
 * https://http-intake.logs.<site>/api/v2/logs with `DD-API-KEY`, `Content-Type: application/json`,
 * a JSON array (at most 1000 entries, 5 MB) of objects with `message`, `ddsource`, `ddtags`,
 * `hostname`, `service`; 202 = accepted. Level and time go in the reserved attributes `status`
 * and `timestamp` (https://docs.datadoghq.com/logs/log_configuration/attributes_naming_convention/#reserved-attributes).
 */
import type { Level } from '../event.js';
import type { Sink } from '../pipeline.js';
import { jsonArray, omit, vendorSink, type ConnectorOptions } from './shared.js';

/** Options of {@link datadogSink}. */
export interface DatadogSinkOptions extends ConnectorOptions {
  /** A Datadog API key. */
  apiKey: string;
  /** Datadog site: `datadoghq.com`, `datadoghq.eu`, `us3.datadoghq.com`, `us5.datadoghq.com`, `ap1.datadoghq.com`, `ddog-gov.com`. @default 'datadoghq.com' */
  site?: string;
  /** `ddsource` (the technology the logs come from). @default 'nodejs' */
  source?: string;
  /** `hostname`. @default undefined */
  hostname?: string;
  /** Extra `ddtags` (`key:value`); `env` and `version` come from the events. @default [] */
  tags?: readonly string[];
}

/** shiplog level → Datadog status (Datadog has no trace; fatal is critical). */
export const DATADOG_STATUS: Readonly<Record<Level, string>> = { trace: 'debug', debug: 'debug', info: 'info', warn: 'warning', error: 'error', fatal: 'critical' };

/** Datadog: each event with `message`, `status`, `timestamp` (epoch ms), `service`, `ddsource`, `ddtags` and its other fields. */
export function datadogSink(options: DatadogSinkOptions): Sink {
  const { apiKey, site = 'datadoghq.com', source = 'nodejs', hostname, tags = [], ...delivery } = options;
  return vendorSink(options.name ?? 'datadog', delivery, {
    url: `https://http-intake.logs.${site}/api/v2/logs`,
    headers: { 'dd-api-key': apiKey },
    contentType: 'application/json',
    maxBatchSize: 1000,
    body: jsonArray(({ record, level, ms }) => {
      const ddtags = [...tags];
      if (typeof record.env === 'string') ddtags.push(`env:${record.env}`);
      if (typeof record.version === 'string') ddtags.push(`version:${record.version}`);
      const out: Record<string, unknown> = { ...omit(record, ['time', 'msg', 'level']), message: record.msg ?? '', status: DATADOG_STATUS[level], timestamp: ms, ddsource: source };
      if (ddtags.length > 0) out.ddtags = ddtags.join(',');
      if (hostname !== undefined) out.hostname = hostname;
      return out;
    }),
  });
}
