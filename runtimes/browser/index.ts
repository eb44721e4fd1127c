/**
 * shiplog for browsers (`shiplog/browser`, and the `browser` condition of `shiplog`): the core
 * API, with a default sink that batches to an ingest endpoint with fetch keepalive and sends
 * what is left by `sendBeacon` when the page hides. Nothing touches `window`, `document` or
 * `navigator` at import, so server-side rendering can import this file.
 */
export * from '../../src/index.js';
export { createLogger, type BrowserLogger, type BrowserLoggerOptions, type BrowserLoggerStats } from './browser-logger.js';
export type { LeanLogger } from '../../src/internal.js';
export { browserSink, KEEPALIVE_QUOTA_BYTES, type BrowserSink, type BrowserSinkOptions } from './browser-sink.js';
export type { OfflineOptions, OfflineStats } from './offline-store.js';

/** Which build this is; lets tests prove conditional exports resolve to the right file. */
/** Which build the `shiplog` import resolved to (`'browser'` here), for checking the conditional exports. */
export const RUNTIME = 'browser';
