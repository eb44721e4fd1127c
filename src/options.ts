import type { RetryOptions } from './backoff.js';
import { isLevel, type Level } from './event.js';
import { checkKeys, checkOptions, checkSinkKeys } from './option-checks.js';
import { INT1, invalid, LEVEL, MS, STRING, type Rule } from './option-rules.js';
import type { BatchOptions, OnDropped, Sink } from './pipeline.js';
import type { RedactOptions, SerializeOptions } from './serialize.js';

export { closestKey } from './option-checks.js';

/**
 * The `process` global where a runtime has one (Node, Bun, Deno, workerd with nodejs_compat), read
 * only inside call-time guards. Bundlers replace `process.env.NODE_ENV` with a literal: in a
 * production build (`'production'`) every development check below is dead code, and dropped with
 * the tables it reaches (option-checks.ts).
 */
declare const process: { env?: Record<string, string | undefined> } | undefined;

/** Where `SHIPLOG_*` overrides are read from: `process.env`, a Workers `env`, or any record. */
export type EnvironmentVariables = Readonly<Record<string, unknown>>;

/** Structured fields of an event. */
export type Fields = Record<string, unknown>;

/** Sampling: head rates per level, and which wide events are always kept. */
export interface SampleOptions {
  /** Fraction of events kept per level (0..1). Unlisted levels keep everything. @default {} */
  rates?: Partial<Record<Level, number>>;
  /** Wide events at least this slow are always kept. @default undefined (no duration rule) */
  keepSlowerThanMs?: number;
  /** Random source, injectable for tests. @default Math.random */
  random?: () => number;
}

/** Options of `createLogger`. Every option can be omitted. */
export interface LoggerOptions {
  /** Service name on every event (`SHIPLOG_SERVICE`). @default undefined */
  service?: string;
  /** Deployment environment on every event (`SHIPLOG_ENV`). @default undefined */
  env?: string;
  /** Service version on every event. @default undefined */
  version?: string;
  /** Lowest level written (`SHIPLOG_LEVEL`). @default 'info' */
  level?: Level;
  /** Destinations; each gets its own pipeline. @default the runtime's default sink */
  sinks?: readonly Sink[];
  /** Where an http sink is added to the defaults (`SHIPLOG_ENDPOINT`). @default undefined */
  endpoint?: string;
  /** Batching (`SHIPLOG_BATCH_SIZE`, `SHIPLOG_FLUSH_INTERVAL_MS`). @default { size: 50, maxBytes: 524288, intervalMs: 5000 } */
  batch?: BatchOptions;
  /** Retries per batch. @default { maxAttempts: 3, backoff: 'exponential', initialDelayMs: 1000, maxDelayMs: 30000, jitter: true } */
  retry?: RetryOptions;
  /** Events buffered per sink before the oldest is dropped (`SHIPLOG_MAX_BUFFER`). @default 1000 */
  maxBufferSize?: number;
  /** Longest single send before it is aborted and retried. @default 30000 */
  sendTimeoutMs?: number;
  /** Told about every event that will not be delivered, with the reason and sink name. @default undefined (drops are still counted in `stats()`) */
  onDropped?: OnDropped;
  /** Extra redaction (paths with `*`, keys); default sensitive keys are always redacted unless disabled. @default { defaultKeys: true, censor: '[REDACTED]' } */
  redact?: readonly string[] | RedactOptions;
  /** Serializer bounds. @default { maxDepth: 10, maxStringLength: 10000, maxKeys: 100, maxItems: 100, maxEventBytes: 65536 } */
  limits?: Omit<SerializeOptions, 'redact'>;
  /** Head sampling and wide-event keep rules. @default keep everything */
  sample?: SampleOptions;
  /** Static fields on every event. @default {} */
  fields?: Fields;
  /**
   * Write a unique `eventId` on every event (random per-logger prefix + counter), so receivers
   * that dedupe by it store a retried event once. `false` leaves it out (lines about 32 bytes shorter;
   * retries may then duplicate events at the receiver). @default true
   */
  eventId?: boolean;
  /** Source of `SHIPLOG_*` overrides (a Workers `env`). @default process.env where it exists */
  vars?: EnvironmentVariables;
}

/** Options after validation and environment overrides. */
export interface ResolvedOptions extends LoggerOptions {
  level: Level;
}

/**
 * @internal The keys of an options type, for {@link checkOptionKeys}. Written as a record so the
 * compiler fails when the type gains a key the list lacks (or the list has one the type lacks).
 */
export const optionKeys = <T>(keys: Record<keyof T, true>): readonly string[] => Object.keys(keys);

/**
 * @internal In development, throws a TypeError for the first own key of `options` that is not
 * in `known`, naming it and the closest valid key: `shiplog: unknown fileSink option "rotation";
 * did you mean "…"?`. `where` names the option object (`createLogger`, `fileSink`, `createLogger
 * batch` …). Development: a `process` global whose `NODE_ENV` is not `production` (checked at
 * call time); a production bundle drops the check.
 */
export function checkOptionKeys(options: object, known: readonly string[], where: string): void {
  if (typeof process === 'object' && process.env?.NODE_ENV !== 'production') checkKeys(options, known, where);
}

/** @internal {@link checkOptionKeys} for a sink's options and its `batch` and `retry` objects. */
export function checkSinkOptionKeys(options: object, known: readonly string[], where: string): void {
  if (typeof process === 'object' && process.env?.NODE_ENV !== 'production') checkSinkKeys(options, known, where);
}

/**
 * `SHIPLOG_*` overrides: option path, variable, rule. Checked in every build (a malformed variable
 * throws naming it). Numeric options (rule type `number`) parse the variable as a number.
 */
const OVERRIDES: readonly (readonly [path: string, name: string, rule: Rule])[] = [
  ['level', 'SHIPLOG_LEVEL', LEVEL],
  ['service', 'SHIPLOG_SERVICE', STRING],
  ['env', 'SHIPLOG_ENV', STRING],
  ['endpoint', 'SHIPLOG_ENDPOINT', STRING],
  ['batch.size', 'SHIPLOG_BATCH_SIZE', INT1],
  ['batch.intervalMs', 'SHIPLOG_FLUSH_INTERVAL_MS', MS],
  ['maxBufferSize', 'SHIPLOG_MAX_BUFFER', INT1],
];

/**
 * Applies `SHIPLOG_*` overrides, which win over code so operators can change them without a
 * deploy, and validates options. Variables are read now, from `options.vars` or `process.env`,
 * never at import, and a malformed one throws a TypeError/RangeError naming it in every build.
 * Option values and keys are checked in development (a `process` global whose `NODE_ENV` is not
 * `production`, read at call time): a bad value throws a TypeError/RangeError naming the option,
 * an unknown key a TypeError naming the closest valid one. Production bundles drop those checks.
 */
export function resolveOptions(options: LoggerOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) invalid('options', 'an object', options);
  const vars = options.vars ?? (globalThis as { process?: { env?: EnvironmentVariables } }).process?.env ?? {};
  // Every overridable key is present (possibly undefined), in this order, as it always was.
  const { level = 'info', service, env, endpoint, batch, maxBufferSize } = options;
  const resolved: ResolvedOptions & Record<string, unknown> = { ...options, level, service, env, endpoint, batch: { ...batch }, maxBufferSize };
  for (const [path, name, [test, expected, type]] of OVERRIDES) {
    const raw = vars[name];
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (text === '') continue;
    const value = type === 'number' ? (Number.isInteger(Number(text)) ? Number(text) : text) : path === 'level' ? text.toLowerCase() : text;
    if (!test(value)) invalid(name, expected, value, type);
    const [key, child] = path.split('.') as [string, string?];
    if (child === undefined) resolved[key] = value;
    else (resolved[key] as Record<string, unknown>)[child] = value;
  }
  if (typeof process === 'object' && process.env?.NODE_ENV !== 'production') checkOptions(options);
  // Unchecked in production: a level that is none of the six would make the logger write nothing.
  if (!isLevel(resolved.level)) resolved.level = 'info';
  if (options.sinks !== undefined) {
    if (!Array.isArray(options.sinks)) invalid('sinks', 'an array of sinks', options.sinks);
    options.sinks.forEach((sink: Partial<Sink> | null, i) => {
      if (typeof sink?.write !== 'function' || typeof sink.name !== 'string') invalid(`sinks[${i}]`, 'a sink with a name and write(batch)', sink);
    });
  }
  return resolved;
}
