/**
 * `shiplog/connectors`: thin presets over `httpSink` / `otlpSink` for vendors, each mapping
 * levels, timestamps and auth the way the vendor documents (links in each file).
 */
export { betterStackSink, type BetterStackSinkOptions } from './better-stack.js';
export { axiomSink, type AxiomSinkOptions } from './axiom.js';
export { datadogSink, DATADOG_STATUS, type DatadogSinkOptions } from './datadog.js';
export { lokiSink, type LokiSinkOptions } from './loki.js';
export { posthogSink, type PostHogSinkOptions } from './posthog.js';
export { sentrySink, toSentryLog, parseDsn, type SentrySinkOptions, type SentryAttribute } from './sentry.js';
export type { ConnectorOptions } from './shared.js';
