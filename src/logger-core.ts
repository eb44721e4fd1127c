import { LEVEL_RANK, type Level, type LogEvent } from './event.js';
import type { ResolvedOptions } from './options.js';
import {
  DEFAULT_FLUSH_TIMEOUT_MS,
  Pipeline,
  type FlushOptions,
  type FlushResult,
  type Sink,
  type SinkStats,
} from './pipeline.js';
import { Serializer } from './serialize.js';
import { EventIds } from './event-id.js';

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

/** Top-level keys shiplog writes itself; user fields with these names are written as `_name`. */
export const RESERVED_KEYS = ['level', 'time', 'msg', 'eventId', 'service', 'env', 'version'] as const;

let lastMs = Number.NaN;
let lastIso = '';

/** ISO-8601 time, computed at most once per millisecond. */
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
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

/**
 * What a logger and all its children share: serializer, one pipeline per sink, level,
 * sampling and counters.
 */
export class LoggerCore {
  readonly serializer: Serializer;
  readonly pipelines: readonly Pipeline[];
  readonly minRank: number;
  readonly level: Level;
  /** `,"service":…,"env":…,"version":…` written after the time of every event. */
  readonly head: string;
  readonly #rates: Partial<Record<Level, number>> | undefined;
  readonly keepSlowerThanMs: number | undefined;
  readonly #random: () => number;
  /** Ids for the `eventId` field; undefined with `eventId: false`. */
  readonly #ids: EventIds | undefined;
  sampledOut = 0;
  duplicateEmits = 0;
  internalErrors = 0;

  constructor(options: ResolvedOptions, sinks: readonly Sink[]) {
    this.serializer = serializerFor(options);
    this.level = options.level;
    this.minRank = LEVEL_RANK[options.level];
    const names = new Map<string, number>();
    this.pipelines = sinks.map((sink) => {
      const seen = (names.get(sink.name) ?? 0) + 1;
      names.set(sink.name, seen);
      const pipeline = new Pipeline({
        sink,
        name: seen === 1 ? sink.name : `${sink.name}#${seen}`,
        batch: options.batch,
        retry: options.retry,
        maxBufferSize: options.maxBufferSize,
        sendTimeoutMs: options.sendTimeoutMs,
        onDropped: options.onDropped,
      });
      return pipeline;
    });
    let head = '';
    for (const key of ['service', 'env', 'version'] as const) {
      const value = options[key];
      if (value !== undefined) head += `,"${key}":${this.serializer.string(value)}`;
    }
    this.head = head;
    this.#rates = options.sample?.rates;
    this.keepSlowerThanMs = options.sample?.keepSlowerThanMs;
    this.#random = options.sample?.random ?? Math.random;
    this.#ids = options.eventId === false ? undefined : new EventIds();
  }

  /** `,"eventId":"…"` for the next event (written right after its time), or '' with `eventId: false`. */
  idField(): string {
    return this.#ids === undefined ? '' : this.#ids.field();
  }

  /** Hands one serialized event to every sink's pipeline. */
  write(level: Level, time: number, line: string): void {
    const event: LogEvent = { level, time, line };
    for (const pipeline of this.pipelines) pipeline.push(event);
  }

  /** Head sampling: whether an event of `level` is kept; counts the ones left out. */
  sample(level: Level): boolean {
    const rate = this.#rates?.[level];
    if (rate === undefined || rate >= 1 || this.#random() < rate) return true;
    this.sampledOut++;
    return false;
  }

  get pending(): number {
    let pending = 0;
    for (const pipeline of this.pipelines) pending += pipeline.pending;
    return pending;
  }

  async flush(options: FlushOptions = {}): Promise<FlushResult> {
    return sumResults(await Promise.all(this.pipelines.map((p) => p.flush(options))));
  }

  async shutdown(options?: FlushOptions): Promise<FlushResult> {
    const timeoutMs = options?.timeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
    return sumResults(await Promise.all(this.pipelines.map((p) => p.shutdown({ timeoutMs }))));
  }

  flushSync(): number {
    let written = 0;
    for (const pipeline of this.pipelines) written += pipeline.flushSync();
    return written;
  }

  stats(): LoggerStats {
    const sinks: Record<string, SinkStats> = {};
    for (const pipeline of this.pipelines) sinks[pipeline.name] = pipeline.stats();
    return {
      sinks,
      sampledOut: this.sampledOut,
      duplicateEmits: this.duplicateEmits,
      internalErrors: this.internalErrors,
    };
  }
}

/** Adds up per-sink flush results. */
export function sumResults(results: readonly FlushResult[]): FlushResult {
  const total: FlushResult = { ok: true, delivered: 0, dropped: 0, unconfirmed: 0, pending: 0, timedOut: false };
  for (const r of results) {
    total.ok &&= r.ok;
    total.delivered += r.delivered;
    total.dropped += r.dropped;
    total.unconfirmed += r.unconfirmed;
    total.pending += r.pending;
    total.timedOut ||= r.timedOut;
  }
  return total;
}
