import {
  Logger,
  PipelinesRoute,
  assembleLogger,
  consoleSink,
  randomId,
  resolveOptions,
  type Fields,
  type FlushOptions,
  type FlushResult,
  type LogEvent,
  type LoggerOptions,
  type LoggerStats,
  type OnDropped,
  type Pipeline,
} from '../../src/internal.js';
import { browserSink, type BrowserSink, type BrowserSinkOptions } from './browser-sink.js';
import { OfflineStore, type OfflineOptions, type OfflineStats } from './offline-store.js';
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

interface PageHooks {
  store: OfflineStore | undefined;
  detach: () => void;
}

/** The browser logger: a {@link Logger} that also watches the page and keeps events offline. */
export class BrowserLogger extends Logger {
  private hooks: PageHooks = { store: undefined, detach: () => undefined };

  /** @internal */
  attach(hooks: PageHooks): void {
    this.hooks = hooks;
  }

  /** Counters per sink, plus the offline store's (`stored`, `restored`, `dropped`). */
  override stats(): BrowserLoggerStats {
    return { ...super.stats(), offline: { ...(this.hooks.store?.stats ?? { stored: 0, restored: 0, dropped: 0, handedOffKept: 0, handedOffResent: 0 }) } };
  }

  /** Removes the page listeners (lifecycle, uncaught errors); the logger keeps working. */
  detach(): void {
    this.hooks.detach();
  }

  /** Removes the page listeners, then flushes and closes like {@link Logger.shutdown}. */
  override shutdown(options?: FlushOptions): Promise<FlushResult> {
    this.detach();
    return super.shutdown(options);
  }
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
 * Creates the browser logger. With an `endpoint` its default sink batches to it with fetch
 * keepalive, and when the page hides, everything buffered leaves at once by `sendBeacon`
 * (events that cannot leave wait in localStorage for the next load). Without one it logs to
 * the console. Every event carries `session` (not `sessionId`, a name redacted by default as
 * a cookie), `pageUrl` (no query or hash) and `userAgent`. Touches nothing of the page until
 * called, and outside a page (server rendering, workers) it is a plain logger.
 */
export function createLogger(options: BrowserLoggerOptions = {}): BrowserLogger {
  const resolved = resolveOptions(options);
  const inPage = typeof document === 'object' && typeof addEventListener === 'function';
  const page: Fields = inPage
    ? { session: options.sessionId ?? sessionId(), pageUrl: location.origin + location.pathname, userAgent: navigator.userAgent }
    : {};
  const fields = { ...page, ...resolved.fields };
  let store: OfflineStore | undefined;
  const beaconNames = new Set<string>();
  const report: OnDropped = (events, reason, sink) => {
    try {
      options.onDropped?.(events, reason, sink);
    } catch {
      // The user's handler failing must not stop the rest.
    }
  };
  resolved.onDropped = (events, reason, sink) => {
    report(events, reason, sink);
    // A batch that ran out of retries (network down) still waits offline for the next page load.
    if (reason === 'retries-exhausted' && beaconNames.has(sink)) store?.save(events);
  };
  const sinks = resolved.sinks ?? [
    resolved.endpoint === undefined
      ? consoleSink()
      : browserSink({
          url: resolved.endpoint,
          publicKey: options.publicKey,
          headers: options.headers,
          maxRequestBytes: options.maxRequestBytes,
          maxKeepaliveInFlight: options.maxKeepaliveInFlight,
          timeoutMs: resolved.sendTimeoutMs,
          batch: resolved.batch,
          retry: resolved.retry,
        }),
  ];
  const { logger, route: plain } = assembleLogger(resolved, sinks, { fields, LoggerClass: BrowserLogger });
  const route = plain as PipelinesRoute;
  const beacons: [Pipeline, BrowserSink][] = [];
  route.pipelines.forEach((pipeline, i) => {
    const sink = sinks[i] as BrowserSink;
    if (typeof sink.sendNow !== 'function') return;
    beacons.push([pipeline, sink]);
    beaconNames.add(pipeline.name);
  });
  const storage = options.offline === false || beacons.length === 0 ? undefined : localStore();
  if (storage !== undefined) {
    store = new OfflineStore(storage, options.offline || {}, (events) => report(events, 'overflow', (beacons[0] as [Pipeline, BrowserSink])[0].name));
  }
  if (!inPage) return logger;

  const restore = (): void => {
    // Handed off by beacon last time, to a receiver that dedupes: sent again with the same ids, so
    // those that arrived are dropped there and those a silent outage swallowed arrive now.
    const events = [...(store?.takeHandedOff() ?? []), ...(store?.take() ?? [])];
    if (events.length === 0) return;
    const pipeline = (beacons[0] as [Pipeline, BrowserSink])[0];
    for (const event of events) pipeline.push(event);
    void pipeline.flush();
  };
  const hide = (): void => {
    for (const pipeline of route.pipelines) {
      const beacon = beacons.find(([p]) => p === pipeline);
      if (beacon === undefined) {
        void pipeline.flush();
        continue;
      }
      const sink = beacon[1];
      pipeline.evacuate((events: readonly LogEvent[]) => {
        // The endpoint is failing or the browser is offline: a beacon would be lost unseen.
        const sent = store !== undefined && !sink.healthy ? 0 : sink.sendNow(events, (lost) => store?.save(lost));
        // A beacon is handed off, not delivered: kept until the next load sends it again (same ids).
        if (sink.receiverDedupes) store?.keepHandedOff(events.slice(0, sent));
        if (sent === events.length || store === undefined) return sent;
        store.save(events.slice(sent));
        return events.length;
      });
    }
  };
  const detachers = [watchPageLifecycle(hide, restore)];
  if (options.captureErrors !== false) detachers.push(captureUncaughtErrors(logger));
  logger.attach({ store, detach: () => detachers.splice(0).forEach((detach) => detach()) });
  restore();
  return logger;
}
