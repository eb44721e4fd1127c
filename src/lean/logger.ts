import { LEVEL_RANK, LEVELS, levelCell, type Level, type LevelCell } from '../event.js';
import { randomIdPrefix } from '../event-id.js';
import { eventLine, lineHead } from '../event-line.js';
import { sumResults } from '../delivery-counts.js';
// Types only: the lean core never loads the full logger (see index.ts).
import type { ChildOptions, LogMethod, Logger } from '../logger.js';
import type { LoggerStats } from '../logger-core.js';
import type { Fields, ResolvedOptions } from '../options.js';
import { isError, mergeFields } from '../log-call.js';
import { isFieldsObject } from '../serialize-text.js';
import type { FlushOptions, FlushResult } from '../sink.js';
import type { LeanPipeline } from './pipeline.js';
import type { LeanSerializer } from './serializer.js';

/**
 * The browser logger's API: the core `Logger`'s own members (level methods, `bindings`, `level`,
 * `pending`, `isLevelEnabled`, `flush` and `shutdown` that never reject, `flushSync`, `stats`)
 * and `child`. Request loggers and wide events (`request()`) are the server runtimes' and are
 * left out of the browser build.
 */
export interface LeanLogger
  extends Pick<Logger, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'bindings' | 'level' | 'pending' | 'isLevelEnabled' | 'flush' | 'shutdown' | 'flushSync' | 'stats'> {
  /** A logger that adds `fields` to every event; `options.level` gives it a level of its own. */
  child(fields: Fields, options?: ChildOptions): LeanLogger;
}

/**
 * Makes the root logger over `pipelines` (one per sink). The same event line as the core logger:
 * `{"level","time","eventId",service/env/version,"msg",…bindings,…fields}`, cut to `maxEventBytes`.
 */
export function createLeanLogger(options: ResolvedOptions, serializer: LeanSerializer, pipelines: readonly LeanPipeline[], bindings: Fields): LeanLogger {
  const counters = { sampledOut: 0, duplicateEmits: 0, internalErrors: 0 };
  const rates = options.sample?.rates;
  const random = options.sample?.random ?? Math.random;
  const head = lineHead(options, serializer);
  /**
   * Event ids: the core's random prefix (drawn at the first event, never at creation), then a
   * counter in base 36. Simpler than the core's blocks of 256 (a page logs little); as unique.
   */
  let prefix: string | undefined;
  let counter = 0;
  const idField = (): string => (options.eventId === false ? '' : `,"eventId":"${(prefix ??= randomIdPrefix().prefix)}${(counter++).toString(36)}"`);
  const pending = (): number => pipelines.reduce((n, p) => n + p.pending, 0);
  /** `run` on every pipeline, the results added up. Never rejects: a failure counts as nothing delivered, with what is still pending. */
  const all = (run: (pipeline: LeanPipeline) => Promise<FlushResult>): Promise<FlushResult> =>
    Promise.all(pipelines.map(run))
      .then(sumResults)
      .catch(() => ({ ...sumResults([]), ok: false, pending: pending() }));

  const make = (bound: Fields, cell: LevelCell, ownsCell: boolean): LeanLogger => {
    let fragment = '';
    try {
      fragment = serializer.fields(bound);
    } catch {
      counters.internalErrors++;
    }
    /** Whether `fields` sets a key this logger has bound (then the two are merged, the call's value winning). */
    const overrides = (fields: unknown): boolean => {
      if (fragment === '' || !isFieldsObject(fields)) return false;
      try {
        for (const key in fields) if (key in bound) return true;
      } catch {
        // Keys that cannot be listed (a Proxy whose traps throw): the serializer writes what it can.
      }
      return false;
    };
    const write = (level: Level, a: unknown, b?: unknown): void => {
      try {
        const rate = rates?.[level];
        if (rate !== undefined && rate < 1 && random() >= rate) {
          counters.sampledOut++;
          return;
        }
        let msg: string | undefined;
        let fields: unknown;
        if (typeof a === 'string') {
          msg = a;
          fields = isError(b) ? { error: b } : b;
        } else if (isError(a, true)) {
          fields = { error: a };
          try {
            msg = typeof b === 'string' ? b : typeof a.message === 'string' ? a.message : undefined;
          } catch {
            // an unreadable message: the event goes without one
          }
        } else {
          fields = a;
          if (typeof b === 'string') msg = b;
        }
        let tail = fragment;
        if (fields !== undefined) {
          const merged = overrides(fields) ? mergeFields(bound, fields) : undefined;
          tail = merged !== undefined ? serializer.fields(merged) : tail + serializer.fields(fields);
        }
        const time = Date.now();
        const line = serializer.fit(eventLine(level, time, idField(), head, msg === undefined ? undefined : serializer.string(msg), tail));
        for (const pipeline of pipelines) pipeline.push({ level, time, line });
      } catch {
        counters.internalErrors++;
      }
    };
    const logger = {
      bindings: bound,
      get level() {
        return cell.level;
      },
      set level(level: Level) {
        const own = levelCell(level);
        // A logger following its parent's level gets its own from now on, instead of changing the parent's.
        if (ownsCell) Object.assign(cell, own);
        else cell = own;
        ownsCell = true;
      },
      get pending() {
        return pending();
      },
      isLevelEnabled: (level: Level) => LEVEL_RANK[level] >= cell.rank,
      child: (fields: Fields, childOptions?: ChildOptions) => {
        const level = childOptions?.level;
        // Unreadable fields (a throwing getter, a hostile Proxy) are skipped and counted rather than thrown.
        let merged = mergeFields(bound, fields);
        if (merged === undefined) {
          counters.internalErrors++;
          merged = { ...bound };
        }
        return make(merged, level === undefined ? cell : levelCell(level), level !== undefined);
      },
      flush: (flushOptions?: FlushOptions) => all((p) => p.flush(flushOptions)),
      shutdown: (flushOptions?: FlushOptions) => all((p) => p.shutdown(flushOptions)),
      flushSync: () => pipelines.reduce((written, p) => written + p.flushSync(), 0),
      stats: (): LoggerStats => ({ sinks: Object.fromEntries(pipelines.map((p) => [p.name, p.stats()])), ...counters }),
    } as LeanLogger;
    for (const level of LEVELS) {
      const rank = LEVEL_RANK[level];
      logger[level] = ((a: unknown, b?: unknown) => rank >= cell.rank && write(level, a, b)) as LogMethod;
    }
    return logger;
  };

  return make(bindings, levelCell(options.level), true);
}
