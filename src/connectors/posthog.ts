/**
 * PostHog Logs, which takes OTLP.
 * Docs: https://posthog.com/docs/logs/installation/other — OTLP logs over HTTP to
 * https://us.i.posthog.com/i/v1/logs (EU: https://eu.i.posthog.com/i/v1/logs) with
 * `Authorization: Bearer <project token (phc_…)>`.
 */
import type { Sink } from '../pipeline.js';
import { otlpSink, type OtlpSinkOptions } from '../sinks/otlp.js';

/** Options of {@link posthogSink}: those of `otlpSink` but the endpoint and headers. */
export interface PostHogSinkOptions extends Omit<OtlpSinkOptions, 'url' | 'headers' | 'vars'> {
  /** The project token (starts with `phc_`; not a personal API key). */
  token: string;
  /** PostHog host: `https://us.i.posthog.com`, `https://eu.i.posthog.com` or your own. @default 'https://us.i.posthog.com' */
  host?: string;
}

/** PostHog: OTLP/HTTP JSON logs (see `otlpSink`) with the project token as a bearer token. */
export function posthogSink(options: PostHogSinkOptions): Sink {
  const { token, host = 'https://us.i.posthog.com', ...otlp } = options;
  // `vars: {}`: the OTEL_EXPORTER_OTLP_* variables are for your collector, not for PostHog.
  return otlpSink({ name: 'posthog', ...otlp, vars: {}, url: `${host.replace(/\/+$/, '')}/i/v1/logs`, headers: { authorization: `Bearer ${token}` } });
}
