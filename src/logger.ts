import { LEVEL_RANK, LEVELS, levelCell, type Level, type LevelCell } from './event.js';
import { eventLine } from './event-line.js';
import { isError, mergeFields } from './log-call.js';
import type { LoggerCore, LoggerStats } from './logger-core.js';
import type { Fields } from './options.js';
import type { FlushOptions, FlushResult } from './pipeline.js';
import { requestInfo, type RequestInfo, type RequestLike } from './request-info.js';
import { isFieldsObject } from './serialize.js';

/** A log method: `(msg, fields?)`, `(fields, msg?)`, `(error, msg?)` or `(msg, error)`. */
export interface LogMethod {
  (msg: string, fields?: Fields): void;
  (fields: Fields, msg?: string): void;
  (error: Error, msg?: string): void;
  /** The error is written as the `error` field, as with `(error, msg)`. */
  (msg: string, error: Error): void;
}

/** How a request ended, for `RequestLogger.emit`. A `Response` fits too (its `status` is read). */
export interface Outcome {
  /** HTTP status (or any status code of the invocation). */
  status?: number;
  /** The error that ended the request; makes the wide event level `error`. */
  error?: unknown;
  /** Overrides the level derived from status and error. */
  level?: Level;
  /** Overrides the message (default `METHOD /path status`). */
  message?: string;
}

/**
 * The wide event's fields as `set()` takes them for a request typed `request<T>()`: any part of
 * `T`, nested objects partial too (plain objects merge deeply; arrays and other values replace).
 */
export type WideEventFields<T> = T extends readonly unknown[] | Date | Error | RegExp | Map<unknown, unknown> | Set<unknown> | ((...args: never[]) => unknown)
  ? T
  : T extends object
    ? { [K in keyof T]?: WideEventFields<T[K]> }
    : T;

/** Options of {@link Logger.child}. */
export interface ChildOptions {
  /** Lowest level this child (and the children it makes) writes. @default the parent's level */
  level?: Level;
}

const now: () => number = () => {
  const perf = (globalThis as { performance?: { now?: () => number } }).performance;
  return typeof perf?.now === 'function' ? perf.now() : Date.now();
};

/** Structured logger. Log calls never throw; a disabled level returns at once. */
export class Logger {
  /** `bindings` serialized once, appended to every event. */
  readonly #fragment: string;
  /** This logger's level; shared with the children that did not set their own. */
  #cell: LevelCell;
  /** Whether `#cell` is this logger's own (set by it) rather than its parent's. */
  #ownsCell: boolean;

  /** @internal */
  constructor(
    protected readonly core: LoggerCore,
    /** Fields bound to this logger (written on every event). */
    readonly bindings: Readonly<Fields>,
    fragment = core.serializer.fields(bindings),
    cell?: LevelCell,
  ) {
    this.#fragment = fragment;
    this.#ownsCell = cell === undefined;
    this.#cell = cell ?? { level: core.level, rank: core.minRank };
  }

  /** @internal The core behind a logger, for the request lifecycle (`src/internal.ts`); not a stable API. */
  static coreOf(logger: Logger): LoggerCore {
    return logger.core;
  }

  /**
   * Lowest level this logger writes. Setting it (`log.level = 'debug'`) on the logger from
   * `createLogger`, or on a child made with a level, changes it for every child and request logger
   * that follows it (made without a level of its own), including ones made before. On a logger
   * that follows its parent it gives that logger a level of its own instead. A value that is not
   * one of the six levels throws a TypeError.
   */
  get level(): Level {
    return this.#cell.level;
  }

  set level(level: Level) {
    const own = levelCell(level);
    // A logger following its parent's level gets its own from now on, instead of changing the parent's.
    if (this.#ownsCell) Object.assign(this.#cell, own);
    else this.#cell = own;
    this.#ownsCell = true;
  }

  /** Events buffered or in flight, across sinks. */
  get pending(): number {
    return this.core.route.pending;
  }

  /** Whether events of `level` are written. */
  isLevelEnabled(level: Level): boolean {
    return LEVEL_RANK[level] >= this.#cell.rank;
  }

  /**
   * A logger that adds `fields` to every event; shares sinks and counters with its parent.
   * `options.level` gives it a level of its own; otherwise it follows the parent's, also when that changes.
   */
  child(fields: Fields, options?: ChildOptions): Logger {
    const level = options?.level;
    const cell = level === undefined ? this.#cell : levelCell(level);
    return new Logger(this.core, this.#bind(fields), undefined, cell);
  }

  /**
   * A request-scoped logger: correlation ids on every event, and one wide event via `emit`.
   * `request<Checkout>()` types the wide event: `set()` then takes only (parts of) `Checkout`.
   */
  request<T extends object = Fields>(req?: RequestLike | null, fields?: Fields): RequestLogger<T> {
    const info = requestInfo(req);
    return new RequestLogger<T>(this.core, this.#bind({ ...correlationIds(info), ...this.#bind(fields, {}) }), info, this.#cell);
  }

  /** `base` plus `fields`; unreadable fields are skipped and counted rather than thrown. */
  #bind(fields: Fields | undefined, base: Readonly<Fields> = this.bindings): Fields {
    const merged = mergeFields(base, fields);
    if (merged !== undefined) return merged;
    this.core.counters.internalErrors++;
    return { ...base };
  }

  /** Delivers everything accepted before the call, by the deadline. Never rejects. */
  flush(options?: FlushOptions): Promise<FlushResult> {
    return this.#settle(this.core.route.flush(options));
  }

  /** Flushes, then drops what is left, stops timers and closes sinks. Never rejects. */
  shutdown(options?: FlushOptions): Promise<FlushResult> {
    return this.#settle(this.core.route.shutdown(options));
  }

  #settle(result: Promise<FlushResult>): Promise<FlushResult> {
    return result.catch(() => ({ ok: false, delivered: 0, dropped: 0, unconfirmed: 0, handedOff: 0, pending: this.pending, timedOut: false }));
  }

  /** Writes what is buffered through sinks that can write synchronously (at process exit). */
  flushSync(): number {
    return this.core.route.flushSync();
  }

  /** Counters per sink; accepted = delivered + dropped + pending whenever nothing is mid-call. */
  stats(): LoggerStats {
    return this.core.stats();
  }

  /** @internal Writes one event; `sample: false` bypasses head sampling. */
  log(level: Level, a: unknown, b?: unknown, sample = true): void {
    const core = this.core;
    try {
      if (sample && !core.sample(level)) return;
      let msg: string | undefined;
      let fields: unknown;
      if (typeof a === 'string') {
        msg = a;
        fields = isError(b) ? { error: b } : b;
      } else if (isError(a, true)) {
        fields = { error: a };
        msg = typeof b === 'string' ? b : safeMessage(a);
      } else {
        fields = a;
        if (typeof b === 'string') msg = b;
      }
      const serializer = core.serializer;
      let tail = this.#fragment;
      if (fields !== undefined) {
        // When a getter throws while merging, the fields are written apart and the serializer marks it.
        const merged = this.#overridesBinding(fields) ? mergeFields(this.bindings, fields as Fields) : undefined;
        tail = merged !== undefined ? serializer.fields(merged) : tail + serializer.fields(fields);
      }
      const time = Date.now();
      core.write(level, time, serializer.fit(eventLine(level, time, core.idField(), core.head, msg === undefined ? undefined : serializer.message(msg), tail)));
    } catch {
      core.counters.internalErrors++;
    }
  }

  static {
    // In the class body, so the level methods can read the private level cell.
    for (const level of LEVELS) {
      const rank = LEVEL_RANK[level];
      Logger.prototype[level] = function (this: Logger, a: unknown, b?: unknown): void {
        if (rank >= this.#cell.rank) this.log(level, a, b);
      } as LogMethod;
    }
  }

  #overridesBinding(fields: unknown): boolean {
    // Not arrays or bytes: listing a 10 MB Buffer's keys would cost seconds (they go under `data`).
    if (this.#fragment === '' || !isFieldsObject(fields)) return false;
    try {
      for (const key in fields) if (key in this.bindings) return true;
    } catch {
      // Keys that cannot be listed (a Proxy whose traps throw): the serializer writes what it can.
    }
    return false;
  }
}

/**
 * The correlation ids of a request: its info without the request line, only the ids it found.
 * Field by field: a rest spread (`{ method, path, ...ids }`) was 8% of a Worker's per-request time.
 */
function correlationIds(info: RequestInfo): Fields {
  const ids: Fields = { requestId: info.requestId };
  if (info.traceId !== undefined) ids.traceId = info.traceId;
  if (info.spanId !== undefined) ids.spanId = info.spanId;
  if (info.traceFlags !== undefined) ids.traceFlags = info.traceFlags;
  return ids;
}

export interface Logger {
  /** Finest detail, off by default. */
  trace: LogMethod;
  /** Diagnostic detail, off by default. */
  debug: LogMethod;
  /** Normal operation (the default level). */
  info: LogMethod;
  /** Something unexpected that the program handled. */
  warn: LogMethod;
  /** A failed operation; written through `console.error` by the console sink. */
  error: LogMethod;
  /** The process or request cannot go on. */
  fatal: LogMethod;
}

function safeMessage(error: Error): string | undefined {
  try {
    return typeof error.message === 'string' ? error.message : undefined;
  } catch {
    return undefined;
  }
}

const MAX_MERGE_DEPTH = 8;

function isPlainObject(value: unknown): value is Fields {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === Object.prototype || proto === null;
}

/** Merges plain objects recursively (arrays and other values are replaced). */
function mergeInto(target: Fields, source: Fields, depth: number): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    target[key] = depth < MAX_MERGE_DEPTH && isPlainObject(value) ? mergedValue(target[key], value, depth) : value;
  }
}

/**
 * `value` merged over what a key holds. What it holds may be a hostile object stored by an
 * earlier `set` (a Proxy whose traps throw): then the clean new value replaces it, so one bad
 * `set` never makes later clean ones fail.
 */
function mergedValue(current: unknown, value: Fields, depth: number): unknown {
  let copy: Fields;
  try {
    if (!isPlainObject(current)) return value;
    copy = { ...current };
  } catch {
    return value;
  }
  mergeInto(copy, value, depth + 1);
  return copy;
}

/**
 * Logger for one request or invocation. Plain log calls carry its request id; `set` gathers
 * the request's wide event and `emit` writes it once.
 */
export class RequestLogger<T extends object = Fields> extends Logger {
  /** Correlation id: from `x-request-id`, `cf-ray` or `traceparent`, else generated. */
  readonly requestId: string;
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  readonly #info: RequestInfo;
  readonly #wide: Fields = {};
  readonly #startedAt = now();
  #emitted = false;

  /** @internal */
  constructor(core: LoggerCore, bindings: Fields, info: RequestInfo, cell?: LevelCell) {
    super(core, bindings, undefined, cell);
    this.#info = info;
    this.requestId = info.requestId;
    this.traceId = info.traceId;
    this.spanId = info.spanId;
  }

  /** Adds fields to the wide event (plain objects merge deeply; later values win). Never throws. */
  set(fields: WideEventFields<T>): this {
    try {
      if (typeof fields === 'object' && fields !== null) mergeInto(this.#wide, fields as Fields, 0);
    } catch {
      this.core.counters.internalErrors++;
    }
    return this;
  }

  /** The wide event's fields gathered so far (a copy). */
  get fields(): Fields {
    return { ...this.#wide };
  }

  /** Whether `emit` has run. */
  get isEmitted(): boolean {
    return this.#emitted;
  }

  /** Milliseconds since the request logger was created. */
  get durationMs(): number {
    return Math.round((now() - this.#startedAt) * 1000) / 1000;
  }

  /**
   * Writes the wide event once: method, path, status, duration, error and everything `set`.
   * Events with an error, status >= 500 or over `sample.keepSlowerThanMs` bypass sampling.
   * Returns false (and counts it) when the event was already emitted.
   */
  emit(outcome: Outcome = {}): boolean {
    const core = this.core;
    if (this.#emitted) {
      core.counters.duplicateEmits++;
      return false;
    }
    this.#emitted = true;
    try {
      const { status, error } = outcome;
      const durationMs = this.durationMs;
      const code = typeof status === 'number' ? status : 0;
      const failed = error !== undefined || code >= 500;
      const level = outcome.level ?? (failed ? 'error' : code >= 400 ? 'warn' : 'info');
      if (!this.isLevelEnabled(level)) return true;
      const slow = durationMs >= (core.keepSlowerThanMs ?? Infinity);
      if (!failed && !slow && !core.sample(level)) return true;
      const { method, path } = this.#info;
      const fields: Fields = { method, path, status, durationMs, ...this.#wide };
      if (error !== undefined) fields.error = error;
      const message = outcome.message ?? ([method, path, status].filter((p) => p !== undefined).join(' ') || 'request');
      this.log(level, message, fields, false);
    } catch {
      core.counters.internalErrors++;
    }
    return true;
  }
}
