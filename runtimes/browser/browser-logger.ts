import {
  checkOptions,
  createLeanLogger,
  createLeanPipeline,
  isLevel,
  leanSerializer,
  uncheckedConsoleSink,
  randomId,
  RESERVED_KEYS,
  resolveOptions,
  uniqueSinkNames,
  type LeanLogger,
  type LeanPipeline,
  type LoggerOptions,
  type LoggerStats,
  type LogEvent,
  type OnDropped,
  type ResolvedOptions,
} from '../../src/internal.js';
import { browserSink, type BrowserSink, type BrowserSinkOptions } from './browser-sink.js';
import { createOfflineStore, noOfflineStats, type OfflineOptions, type OfflineStats, type OfflineStore } from './offline-store.js';
import { watchPageLifecycle } from './page-lifecycle.js';
import { captureUncaughtErrors } from './uncaught-errors.js';

/** Options of the browser `createLogger`: the core options plus the page's own. */
export interface BrowserLoggerOptions extends LoggerOptions {
  /** Public ingest key, sent in the URL (`?key=`) by fetch and beacons alike. @default undefined */
  publicKey?: string;
  /** Headers for fetch requests (beacons cannot carry headers). @default {} */
  headers?: BrowserSinkOptions['headers'];
  /** Largest request or beacon body in UTF-8 bytes. @default 60000 */
  maxRequestBytes?: number;
  /** Keepalive requests in flight at once. @default 4 */
  maxKeepaliveInFlight?: number;
  /** Keep unsendable events in localStorage for the next page load; `false` opts out. @default { maxBytes: 262144, key: 'shiplog:offline' } */
  offline?: OfflineOptions | false;
  /** Log uncaught errors and unhandled rejections as error events. @default true */
  captureErrors?: boolean;
  /** Session id on every event. @default a random id kept in sessionStorage for the tab's life */
  sessionId?: string;
}

/** Logger counters plus the offline store's. */
export interface BrowserLoggerStats extends LoggerStats {
  offline: OfflineStats;
}

/** The browser logger: the lean logger (see {@link LeanLogger}) that also watches the page and keeps events offline. */
export interface BrowserLogger extends LeanLogger {
  /** Counters per sink, plus the offline store's (`stored`, `restored`, `dropped`, `handedOffKept`, `handedOffResent`). */
  stats(): BrowserLoggerStats;
  /** Removes the page listeners (lifecycle, uncaught errors); the logger keeps working. */
  detach(): void;
}

function sessionId(): string {
  try {
    let id = sessionStorage.getItem('shiplog:session');
    if (id === null) sessionStorage.setItem('shiplog:session', (id = randomId()));
    return id;
  } catch {
    return randomId();
  }
}

function localStore(): Storage | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined; // Blocked storage (sandboxed frame, privacy settings) throws on access.
  }
}

/**
 * Option checks (and `SHIPLOG_*` overrides) where they cost nothing in production. Bundlers
 * replace `process.env.NODE_ENV`: in a production build the condition is false, so this branch
 * and the core's option rules are left out; in a development build (Vite, webpack, esbuild) the
 * options are checked in the page too. Where nothing replaced it and there is no `process` (a
 * page loading the module as is), reading it throws and the options are taken as given.
 * Read at call time, never at import.
 */
function checkedOptions(options: BrowserLoggerOptions): ResolvedOptions {
  try {
    if (process.env.NODE_ENV !== 'production') {
      // Explicitly: the core's own check needs a `process` global, which a page has not.
      checkOptions(options);
      return resolveOptions(options);
    }
  } catch (error) {
    // A bad option (the core's checks say `shiplog: …`) is the caller's to see; no `process` is not.
    if (error instanceof Error && error.message.startsWith('shiplog:')) throw error;
  }
  // Unchecked, but a level that is none of the six would silence every call: 'info' instead.
  return { ...options, level: isLevel(options.level) ? options.level : 'info' };
}

/**
 * Creates the browser logger. With an `endpoint` its default sink batches to it with fetch
 * keepalive, and when the page hides, everything buffered leaves at once by `sendBeacon`
 * (events that cannot leave wait in localStorage for the next load). Without one it logs to
 * the console. Every event carries `session` (not `sessionId`, a name redacted by default as
 * a cookie), `pageUrl` (no query or hash) and `userAgent`. Touches nothing of the page until
 * called, and outside a page (server rendering, workers) it is a plain logger.
 */
export function createLogger(options: BrowserLoggerOptions = {}): BrowserLogger {
  const resolved = checkedOptions(options);
  const inPage = typeof document === 'object' && typeof addEventListener === 'function';
  let store: OfflineStore | undefined;
  // The first sink that can send beacons (the default one), and its pipeline: what the page hide evacuates to it.
  let beaconSink: BrowserSink | undefined;
  let beaconPipeline: LeanPipeline | undefined;
  const report: OnDropped = (events, reason, sink) => {
    try {
      options.onDropped?.(events, reason, sink);
    } catch {
      // The user's handler failing must not stop the rest.
    }
  };
  const sinks = resolved.sinks ?? [
    resolved.endpoint === undefined
      ? uncheckedConsoleSink()
      : // The page options (publicKey, headers, maxRequestBytes, maxKeepaliveInFlight), batch and retry pass through by name.
        browserSink({ ...resolved, url: resolved.endpoint, timeoutMs: resolved.sendTimeoutMs }),
  ];
  const names = uniqueSinkNames(sinks);
  const pipelines = sinks.map((sink, i) => {
    // batch, retry, maxBufferSize and sendTimeoutMs pass through by name (the logger's options have no `sink`, `name` or `random`).
    const pipeline = createLeanPipeline({
      ...resolved,
      sink,
      name: names[i] as string,
      onDropped: (events, reason, name) => {
        report(events, reason, name);
        // A batch that ran out of retries (network down) still waits offline for the next page load.
        if (reason === 'retries-exhausted' && pipeline === beaconPipeline) store?.save(events);
      },
    });
    if (!beaconSink && typeof (sink as BrowserSink).sendNow === 'function') {
      beaconSink = sink as BrowserSink;
      beaconPipeline = pipeline;
    }
    return pipeline;
  });
  const page = inPage ? { session: options.sessionId ?? sessionId(), pageUrl: location.origin + location.pathname, userAgent: navigator.userAgent } : {};
  const logger = createLeanLogger(resolved, leanSerializer({ ...resolved.limits, redact: resolved.redact }, RESERVED_KEYS), pipelines, { ...page, ...resolved.fields }) as BrowserLogger;
  // The offline store exists only beside a beacon sink: events wait there for that sink.
  const storage = options.offline === false || !beaconPipeline ? undefined : localStore();
  if (storage) store = createOfflineStore(storage, options.offline || {}, (events) => report(events, 'overflow', (beaconPipeline as LeanPipeline).name));
  const detachers: (() => void)[] = [];
  const { stats, shutdown } = logger;
  logger.stats = () => ({ ...stats(), offline: { ...(store?.stats ?? noOfflineStats()) } });
  logger.detach = () => detachers.splice(0).forEach((detach) => detach());
  logger.shutdown = (flushOptions) => {
    logger.detach();
    return shutdown(flushOptions);
  };
  if (!inPage) return logger;

  const restore = (): void => {
    if (!store) return;
    // Handed off by beacon last time, to a receiver that dedupes: sent again with the same ids, so
    // those that arrived are dropped there and those a silent outage swallowed arrive now.
    const events = [...store.takeHandedOff(), ...store.take()];
    if (events.length === 0) return;
    for (const event of events) (beaconPipeline as LeanPipeline).push(event);
    void (beaconPipeline as LeanPipeline).flush();
  };
  const toBeacon = (events: readonly LogEvent[]): number => {
    const sink = beaconSink as BrowserSink;
    // The endpoint is failing or the browser is offline: a beacon would be lost unseen.
    const sent = store && !sink.healthy ? 0 : sink.sendNow(events, (lost) => store?.save(lost));
    // A beacon is handed off, not delivered: kept until the next load sends it again (same ids).
    if (sink.receiverDedupes) store?.keepHandedOff(events.slice(0, sent));
    // What no beacon took waits offline, so all is taken; without a store it stays buffered.
    if (!store) return sent;
    store.save(events.slice(sent));
    return events.length;
  };
  const hide = (): void => {
    for (const pipeline of pipelines) {
      if (pipeline === beaconPipeline) pipeline.evacuate(toBeacon);
      else void pipeline.flush();
    }
  };
  detachers.push(...watchPageLifecycle(hide, restore));
  if (options.captureErrors !== false) detachers.push(...captureUncaughtErrors(logger));
  restore();
  return logger;
}
