import { LEVEL_RANK, type Level, type LogEvent } from './event.js';
import type { ResolvedOptions } from './options.js';
import type { SinkStats } from './pipeline.js';
import { Serializer } from './serialize.js';
import { EventIds } from './event-id.js';
import type { DeliveryRoute } from './lifecycle/route.js';
import { RESERVED_KEYS, lineHead } from './event-line.js';

export { RESERVED_KEYS, isoTime } from './event-line.js';

/** Counters of a logger: one entry per sink, plus what was decided before any sink. */
export interface LoggerStats {
  /** Per sink, keyed by the sink's unique name. */
  sinks: Record<string, SinkStats>;
  /** Events not written because sampling left them out. */
  sampledOut: number;
  /** `emit()` calls ignored because the wide event was already emitted. */
  duplicateEmits: number;
  /** Log calls that failed inside shiplog and were contained (never thrown to the caller). */
  internalErrors: number;
}

/** One serializer per resolved options: loggers made per request (Workers, Lambda) share it. */
const serializers = new WeakMap<ResolvedOptions, Serializer>();

function serializerFor(options: ResolvedOptions): Serializer {
  let serializer = serializers.get(options);
  if (serializer === undefined) {
    serializer = new Serializer({ ...options.limits, redact: options.redact }, RESERVED_KEYS);
    serializers.set(options, serializer);
  }
  return serializer;
}

/** The logger-level counters; shared by every core of one logger (Workers make one core per invocation). */
export interface LoggerCounters {
  sampledOut: number;
  duplicateEmits: number;
  internalErrors: number;
}

/**
 * What a logger and all its children share: serializer, level, sampling, counters, and the
 * delivery route its events take (one pipeline per sink, or a runtime's wrapper around that).
 */
export class LoggerCore {
  readonly serializer: Serializer;
  readonly minRank: number;
  readonly level: Level;
  /** `,"service":…,"env":…,"version":…` written after the time of every event. */
  readonly head: string;
  readonly #rates: Partial<Record<Level, number>> | undefined;
  readonly keepSlowerThanMs: number | undefined;
  readonly #random: () => number;
  /** Ids for the `eventId` field; undefined with `eventId: false`. */
  readonly #ids: EventIds | undefined;

  constructor(
    readonly options: ResolvedOptions,
    /** Where events go and how they are flushed. */
    readonly route: DeliveryRoute,
    /** Counted in place (`core.counters.internalErrors++`): shared with every core `withRoute` makes. */
    readonly counters: LoggerCounters = { sampledOut: 0, duplicateEmits: 0, internalErrors: 0 },
    /** The id source to share (an invocation's core uses its logger's: one random prefix per isolate, not per request). */
    ids?: EventIds,
  ) {
    this.serializer = serializerFor(options);
    this.level = options.level;
    this.minRank = LEVEL_RANK[options.level];
    this.head = lineHead(options, this.serializer);
    this.#rates = options.sample?.rates;
    this.keepSlowerThanMs = options.sample?.keepSlowerThanMs;
    this.#random = options.sample?.random ?? Math.random;
    this.#ids = options.eventId === false ? undefined : (ids ?? new EventIds());
  }

  /** `,"eventId":"…"` for the next event (written right after its time), or '' with `eventId: false`. */
  idField(): string {
    return this.#ids === undefined ? '' : this.#ids.field();
  }

  /** The same logger settings and counters over another route (an invocation's own). */
  withRoute(route: DeliveryRoute): LoggerCore {
    return new LoggerCore(this.options, route, this.counters, this.#ids);
  }

  /** Hands one serialized event to the route. */
  write(level: Level, time: number, line: string): void {
    const event: LogEvent = { level, time, line };
    this.route.write(event);
  }

  /** Head sampling: whether an event of `level` is kept; counts the ones left out. */
  sample(level: Level): boolean {
    if (this.#rates === undefined) return true;
    const rate = this.#rates[level];
    if (rate === undefined || rate >= 1 || this.#random() < rate) return true;
    this.counters.sampledOut++;
    return false;
  }

  /** The logger's counters and its route's, per sink (delivery: `core.route`). */
  stats(): LoggerStats {
    const { sampledOut, duplicateEmits, internalErrors } = this.counters;
    return { sinks: this.route.stats(), sampledOut, duplicateEmits, internalErrors };
  }
}
