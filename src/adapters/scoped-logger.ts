/**
 * A logger whose sends only ever run inside the invocation that owns them.
 *
 * Why: Cloudflare Workers forbid I/O objects (a fetch, a timer) from crossing requests, and a
 * send started by one request that this request does not `waitUntil` may be cancelled. So every
 * invocation gets its own pipelines (no interval timers), flushed from that invocation's
 * `waitUntil` with a deadline. Events written outside a live invocation (global scope, or a
 * request logger used after its request ended) are parked and ride with the next invocation's
 * flush. The logger's `stats()` add every invocation up, so accepted = delivered + dropped + pending
 * holds for the whole isolate.
 */
import { LoggerCore, sumResults, type LoggerStats } from '../logger-core.js';
import { Logger, type RequestLogger } from '../logger.js';
import type { LogEvent, Level } from '../event.js';
import type { Fields, ResolvedOptions } from '../options.js';
import { Pipeline, type FlushOptions, type FlushResult, type Sink } from '../pipeline.js';
import type { RequestLike } from '../request-info.js';
import { RingBuffer } from '../ring-buffer.js';
import { ScopedTotals } from './scoped-totals.js';

/** Default deadline of the flush at the end of an invocation: well under Workers' ~30 s `waitUntil` budget. */
export const DEFAULT_INVOCATION_FLUSH_MS = 10_000;

/** A copy of a sink that cannot be closed by one invocation and never arms an interval timer. */
function scopedSink(sink: Sink): Sink {
  const copy: { -readonly [K in keyof Sink]: Sink[K] } = {
    name: sink.name,
    write: (batch, context) => sink.write(batch, context),
    batch: { ...sink.batch, intervalMs: 0 },
  };
  if (sink.retry !== undefined) copy.retry = sink.retry;
  if (sink.timeoutMs !== undefined) copy.timeoutMs = sink.timeoutMs;
  if (sink.writeSync !== undefined) copy.writeSync = (batch) => sink.writeSync?.(batch);
  return copy;
}

/** What every invocation of one logger shares: options, sinks, parked events and totals. */
export class Isolate {
  readonly totals: ScopedTotals;
  readonly parked: RingBuffer<LogEvent>;
  /** Cores whose counters are not yet in the totals: the root's, and those of live invocations. */
  readonly cores = new Set<ScopedCore>();
  /** Invocations that have not ended yet (their pipelines count in stats and pending). */
  readonly live = new Set<Scope>();
  /** Finds the invocation the caller runs in (AsyncLocalStorage), where the runtime has it. */
  current: () => Scope | undefined = () => undefined;

  constructor(
    readonly options: ResolvedOptions,
    readonly sinks: readonly Sink[],
  ) {
    const names = new Map<string, number>();
    const unique = sinks.map((sink) => {
      const seen = (names.get(sink.name) ?? 0) + 1;
      names.set(sink.name, seen);
      return seen === 1 ? sink.name : `${sink.name}#${seen}`;
    });
    this.totals = new ScopedTotals(unique);
    this.parked = new RingBuffer(options.maxBufferSize ?? 1000);
  }

  /** Keeps an event for the next invocation's flush; a full park drops its oldest (counted). */
  park(event: LogEvent): void {
    const evicted = this.parked.push(event);
    if (evicted !== undefined) this.totals.dropParked(evicted, this.options.onDropped);
    withParkedEvents.add(this);
  }

  /**
   * Sends the parked events from the caller's invocation (which must await the result): how a
   * logger used only at global scope gets its events out with another logger's invocation.
   */
  drainParked(timeoutMs: number): Promise<FlushResult> {
    return new Scope(this).end(timeoutMs);
  }

  /** One pipeline per sink for a new invocation. */
  pipelines(): Pipeline[] {
    const { batch, retry, maxBufferSize, sendTimeoutMs, onDropped } = this.options;
    return this.sinks.map(
      (sink, i) =>
        new Pipeline({
          sink: scopedSink(sink),
          name: this.totals.names[i],
          batch: { ...batch, intervalMs: 0 },
          retry,
          maxBufferSize,
          sendTimeoutMs,
          onDropped,
        }),
    );
  }

  stats(): LoggerStats {
    return this.totals.stats(this.live, this.parked.length, this.cores);
  }
}

/** Loggers holding parked events; any invocation that ends takes them along. */
const withParkedEvents = new Set<Isolate>();

/** Drains every other logger's parked events as part of the ending invocation. */
function drainOthers(ending: Isolate, timeoutMs: number): Promise<FlushResult>[] {
  const drains: Promise<FlushResult>[] = [];
  for (const isolate of withParkedEvents) {
    withParkedEvents.delete(isolate);
    if (isolate !== ending && isolate.parked.length > 0) drains.push(isolate.drainParked(timeoutMs));
  }
  return drains;
}

/** One invocation's pipelines. Ends once; afterwards its loggers' events are parked. */
export class Scope {
  readonly pipelines: Pipeline[];
  ended = false;
  private result: Promise<FlushResult> | undefined;

  constructor(readonly isolate: Isolate) {
    this.pipelines = isolate.pipelines();
    isolate.live.add(this);
  }

  flush(options?: FlushOptions): Promise<FlushResult> {
    return Promise.all(this.pipelines.map((p) => p.flush(options))).then(sumResults);
  }

  /**
   * Takes the parked events along, delivers everything by the deadline and drops (reason
   * `shutdown`, counted, reported to `onDropped`) what is left. Never rejects; idempotent.
   */
  end(timeoutMs: number): Promise<FlushResult> {
    if (this.result !== undefined) return this.result;
    this.ended = true;
    const isolate = this.isolate;
    const parked = isolate.parked.take(isolate.parked.length);
    for (const pipeline of this.pipelines) for (const event of parked) pipeline.push(event);
    const others = drainOthers(isolate, timeoutMs);
    this.result = Promise.all(this.pipelines.map((p) => p.shutdown({ timeoutMs })))
      .then(sumResults)
      .catch(() => ({ ok: false, delivered: 0, dropped: 0, unconfirmed: 0, pending: 0, timedOut: false }))
      .finally(() => {
        isolate.totals.absorb(this.pipelines);
        isolate.live.delete(this);
      });
    // Other loggers' events ride along but are not part of this invocation's result.
    return others.length === 0 ? this.result : Promise.all([this.result, ...others]).then(([own]) => own as FlushResult);
  }
}

/** The core of a scoped logger: routes each event to its invocation, or parks it. */
export class ScopedCore extends LoggerCore {
  constructor(
    readonly isolate: Isolate,
    readonly scope: Scope | undefined,
  ) {
    super(isolate.options, []);
    isolate.cores.add(this);
  }

  private target(): Scope | undefined {
    const scope = this.scope ?? this.isolate.current();
    // The current invocation may belong to another logger (other sinks): then park.
    return scope === undefined || scope.ended || scope.isolate !== this.isolate ? undefined : scope;
  }

  override write(level: Level, time: number, line: string): void {
    const event: LogEvent = { level, time, line };
    const scope = this.target();
    if (scope === undefined) this.isolate.park(event);
    else for (const pipeline of scope.pipelines) pipeline.push(event);
  }

  override get pending(): number {
    let pending = this.isolate.parked.length * this.isolate.sinks.length;
    for (const scope of this.isolate.live) for (const pipeline of scope.pipelines) pending += pipeline.pending;
    return pending;
  }

  /** Flushes the invocation this logger belongs to; outside one nothing may be sent, so it only reports. */
  override async flush(options: FlushOptions = {}): Promise<FlushResult> {
    const scope = this.target();
    if (scope !== undefined) return scope.flush(options);
    const pending = this.pending;
    return { ok: pending === 0, delivered: 0, dropped: 0, unconfirmed: 0, pending, timedOut: false };
  }

  /** Same as flush: sinks are shared by every invocation and stay open. */
  override shutdown(options: FlushOptions = {}): Promise<FlushResult> {
    return this.flush(options);
  }

  override flushSync(): number {
    let written = 0;
    for (const pipeline of this.target()?.pipelines ?? []) written += pipeline.flushSync();
    return written;
  }

  override stats(): LoggerStats {
    return this.isolate.stats();
  }

  /** Moves this invocation's counters into the isolate totals once it has ended. */
  retire(): void {
    this.isolate.totals.absorbCounters(this);
    this.isolate.cores.delete(this);
  }
}

/** One invocation: its request logger, and the end that delivers its events. */
export interface ScopedInvocation {
  readonly log: RequestLogger;
  /** Emits the wide event (unless already emitted), then ends the invocation's scope. Never rejects. */
  finish(outcome?: Parameters<RequestLogger['emit']>[0], timeoutMs?: number): Promise<FlushResult>;
}

/**
 * A logger for runtimes where I/O belongs to one invocation (Workers). Log calls outside an
 * invocation are parked; `openInvocation` gives each request its own pipelines.
 */
export class ScopedLogger extends Logger {
  /** @internal */
  constructor(
    private readonly isolate: Isolate,
    core: ScopedCore,
    bindings: Fields,
  ) {
    super(core, bindings, core.serializer.fields(bindings));
  }

  /** Sets how the invocation the caller runs in is found (AsyncLocalStorage). */
  setCurrent(current: () => Scope | undefined): void {
    this.isolate.current = current;
  }

  /**
   * Opens an invocation: a request logger (method, path, ids from `req`) whose events go to
   * pipelines owned by this invocation, sent only when it finishes (or on `flush()` inside it).
   */
  openInvocation(req?: RequestLike | null, fields?: Fields): ScopedInvocation & { readonly scope: Scope } {
    const scope = new Scope(this.isolate);
    const core = new ScopedCore(this.isolate, scope);
    const log = new Logger(core, this.bindings, core.serializer.fields(this.bindings)).request(req, fields);
    return {
      log,
      scope,
      finish(outcome = {}, timeoutMs = DEFAULT_INVOCATION_FLUSH_MS) {
        if (!log.isEmitted) log.emit(outcome);
        return scope.end(timeoutMs).finally(() => core.retire());
      },
    };
  }
}

/** Makes a scoped logger from resolved options and its sinks. */
export function createScopedLogger(options: ResolvedOptions, sinks: readonly Sink[]): ScopedLogger {
  const isolate = new Isolate(options, sinks);
  const core = new ScopedCore(isolate, undefined);
  return new ScopedLogger(isolate, core, { ...options.fields });
}
