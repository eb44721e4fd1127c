import type { RetryOptions } from './backoff.js';
import { isLevel, LEVELS, type Level } from './event.js';
import type { BatchOptions, OnDropped, Sink } from './pipeline.js';
import type { RedactOptions, SerializeOptions } from './serialize.js';
import { isMilliseconds } from './util.js';

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

/** [test, what it must be, the typeof a value that is merely out of range]. */
type Rule = readonly [test: (value: unknown) => boolean, expected: string, type?: string];

const INT1: Rule = [(v) => Number.isInteger(v) && (v as number) >= 1, 'an integer >= 1', 'number'];
// Finite: a timer cannot be armed for Infinity, so a timeout or delay of Infinity would never fire.
const MS: Rule = [isMilliseconds, 'a finite number of milliseconds >= 0', 'number'];
const OBJECT: Rule = [(v) => typeof v === 'object' && v !== null, 'an object'];
const STRING: Rule = [(v) => typeof v === 'string', 'a string'];
const BOOLEAN: Rule = [(v) => typeof v === 'boolean', 'a boolean'];
const FUNCTION: Rule = [(v) => typeof v === 'function', 'a function'];
const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every((item) => typeof item === 'string');
const STRINGS: Rule = [isStrings, 'an array of strings'];
const RATE: Rule = [(v) => typeof v === 'number' && v >= 0 && v <= 1, 'a number from 0 to 1', 'number'];

/** What each option must be, by path; checked in order, so a parent object is checked before its keys. */
const RULES: Readonly<Record<string, Rule>> = {
  level: [isLevel, `one of ${LEVELS.join(', ')}`, 'string'],
  service: STRING,
  env: STRING,
  version: STRING,
  endpoint: STRING,
  batch: OBJECT,
  'batch.size': INT1,
  'batch.maxBytes': INT1,
  'batch.intervalMs': MS,
  retry: OBJECT,
  'retry.maxAttempts': INT1,
  'retry.initialDelayMs': MS,
  'retry.maxDelayMs': MS,
  'retry.backoff': [(v) => v === 'exponential' || v === 'linear' || v === 'fixed', 'exponential, linear or fixed', 'string'],
  'retry.jitter': BOOLEAN,
  maxBufferSize: INT1,
  sendTimeoutMs: MS,
  onDropped: FUNCTION,
  redact: [(v) => (Array.isArray(v) ? isStrings(v) : typeof v === 'object' && v !== null), 'an array of paths or an object'],
  'redact.paths': STRINGS,
  'redact.keys': STRINGS,
  'redact.defaultKeys': BOOLEAN,
  'redact.censor': STRING,
  'redact.allow': STRINGS,
  'redact.urls': BOOLEAN,
  'redact.urlParams': STRINGS,
  'redact.patterns': [
    (v) => Array.isArray(v) && v.every((p) => typeof p === 'string' || p instanceof RegExp),
    'an array of strings or RegExps',
  ],
  fields: OBJECT,
  eventId: BOOLEAN,
  vars: OBJECT,
  limits: OBJECT,
  'limits.maxDepth': INT1,
  'limits.maxStringLength': INT1,
  'limits.maxKeys': INT1,
  'limits.maxItems': INT1,
  'limits.maxEventBytes': INT1,
  'limits.maxKeyLength': INT1,
  sample: OBJECT,
  'sample.keepSlowerThanMs': MS,
  'sample.random': FUNCTION,
  'sample.rates': OBJECT,
  ...Object.fromEntries(LEVELS.map((level) => [`sample.rates.${level}`, RATE])),
};

/**
 * @internal The keys of an options type, for {@link checkOptionKeys}. Written as a record so the
 * compiler fails when the type gains a key the list lacks (or the list has one the type lacks).
 */
export const optionKeys = <T>(keys: Record<keyof T, true>): readonly string[] => Object.keys(keys);

/**
 * Top-level keys the runtime entries add to the core options (their `createLogger` passes its
 * options through here). A key missing from here and from RULES is rejected as unknown.
 */
const RUNTIME_KEYS = [
  'file', 'console', 'exit', 'spool', // Node
  'logger', 'flushTimeoutMs', 'waitUntil', 'onFlush', // Edge, Next.js, Hono, Lambda wrappers
  'publicKey', 'headers', 'maxRequestBytes', 'maxKeepaliveInFlight', 'offline', 'captureErrors', 'sessionId', // browser
  'marginMs', 'timeoutWarningMs', 'failureBuffer', // Lambda
  'asyncLocalStorage', // Workers
] as const;

const CORE_KEYS = optionKeys<LoggerOptions>({
  service: true, env: true, version: true, level: true, sinks: true, endpoint: true, batch: true, retry: true,
  maxBufferSize: true, sendTimeoutMs: true, onDropped: true, redact: true, limits: true, sample: true, fields: true, eventId: true, vars: true,
});

/** Keys of each option object (`''` is the top level; nested ones from the rules' paths). */
const KNOWN_KEYS: ReadonlyMap<string, readonly string[]> = (() => {
  const known = new Map<string, string[]>([['', [...CORE_KEYS, ...RUNTIME_KEYS]]]);
  for (const path of Object.keys(RULES)) {
    const dot = path.lastIndexOf('.');
    if (dot === -1) continue;
    const parent = dot === -1 ? '' : path.slice(0, dot);
    const list = known.get(parent) ?? [];
    list.push(path.slice(dot + 1));
    known.set(parent, list);
  }
  return known;
})();

/** Edit distance between two strings (insertions, deletions, substitutions), case-insensitive. */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
    }
    previous = current;
  }
  return previous[y.length] as number;
}

/** The known key closest to `name`, when it is close enough to be a likely typo. */
export function closestKey(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  // A third of the name's length (at least 2) tells a typo from an unrelated word.
  if (bestDistance <= Math.max(2, Math.floor(name.length / 3))) return best;
  // A shortened or lengthened name: `maxBuffer` for `maxBufferSize`, `warning` for `warn`.
  const lower = name.toLowerCase();
  return known.find((key) => Math.min(key.length, lower.length) >= 3 && (key.toLowerCase().startsWith(lower) || lower.startsWith(key.toLowerCase())));
}

/**
 * @internal Throws a TypeError for the first own key of `options` that is not in `known`, naming
 * it and the closest valid key: `shiplog: unknown fileSink option "rotation"; did you mean "…"?`.
 * `where` names the option object (`createLogger`, `fileSink`, `createLogger batch` …).
 */
export function checkOptionKeys(options: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = closestKey(key, known);
    const hint = near === undefined ? `valid options: ${known.join(', ')}` : `did you mean "${near}"?`;
    throw new TypeError(`shiplog: unknown ${where} option "${key}"; ${hint}`);
  }
}

/** @internal {@link checkOptionKeys} for a sink's options and its `batch` and `retry` objects. */
export function checkSinkOptionKeys(options: object, known: readonly string[], where: string): void {
  checkOptionKeys(options, known, where);
  for (const nested of ['batch', 'retry'] as const) {
    const value = (options as Record<string, unknown>)[nested];
    if (typeof value === 'object' && value !== null) checkOptionKeys(value, KNOWN_KEYS.get(nested) ?? [], `${where} ${nested}`);
  }
}

/** Throws a TypeError (wrong type) or RangeError (right type, bad value) naming the option. */
function invalid(name: string, expected: string, got: unknown, type?: string): never {
  const shown = typeof got === 'string' ? JSON.stringify(got) : String(got);
  const Type = typeof got === type ? RangeError : TypeError;
  throw new Type(`shiplog: option "${name}" must be ${expected}; got ${shown}`);
}

function at(options: object, path: string): unknown {
  let value: unknown = options;
  // Not into arrays: `redact: ['a.b']` has no `redact.keys` option (Array.prototype.keys is a function).
  for (const key of path.split('.')) value = Array.isArray(value) ? undefined : (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

/** `SHIPLOG_*` overrides: option path → variable. Numeric options (rule type `number`) parse it as a number. */
const OVERRIDES: Readonly<Record<string, string>> = {
  level: 'SHIPLOG_LEVEL',
  service: 'SHIPLOG_SERVICE',
  env: 'SHIPLOG_ENV',
  endpoint: 'SHIPLOG_ENDPOINT',
  'batch.size': 'SHIPLOG_BATCH_SIZE',
  'batch.intervalMs': 'SHIPLOG_FLUSH_INTERVAL_MS',
  maxBufferSize: 'SHIPLOG_MAX_BUFFER',
};

/**
 * Validates options (a bad value throws a TypeError/RangeError naming the option) and applies
 * `SHIPLOG_*` overrides, which win over code so operators can change them without a deploy.
 * Variables are read now, from `options.vars` or `process.env`, never at import.
 */
export function resolveOptions(options: LoggerOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) invalid('options', 'an object', options);
  const vars = options.vars ?? (globalThis as { process?: { env?: EnvironmentVariables } }).process?.env ?? {};
  // Every overridable key is present (possibly undefined), in this order, as it always was.
  const { level = 'info', service, env, endpoint, batch, maxBufferSize } = options;
  const resolved: ResolvedOptions & Record<string, unknown> = { ...options, level, service, env, endpoint, batch: { ...batch }, maxBufferSize };
  for (const [path, name] of Object.entries(OVERRIDES)) {
    const raw = vars[name];
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (text === '') continue;
    const [test, expected, type] = RULES[path] as Rule;
    const value = type === 'number' ? (Number.isInteger(Number(text)) ? Number(text) : text) : path === 'level' ? text.toLowerCase() : text;
    if (!test(value)) invalid(name, expected, value, type);
    const [key, child] = path.split('.') as [string, string?];
    if (child === undefined) resolved[key] = value;
    else (resolved[key] as Record<string, unknown>)[child] = value;
  }
  for (const [path, [test, expected, type]] of Object.entries(RULES)) {
    const value = at(options, path);
    if (value !== undefined && !test(value)) invalid(path, expected, value, type);
    const keys = KNOWN_KEYS.get(path);
    if (keys !== undefined && typeof value === 'object' && value !== null && !Array.isArray(value)) checkOptionKeys(value, keys, `createLogger ${path}`);
  }
  checkOptionKeys(options, KNOWN_KEYS.get('') as readonly string[], 'createLogger');
  if (options.sinks !== undefined) {
    if (!Array.isArray(options.sinks)) invalid('sinks', 'an array of sinks', options.sinks);
    options.sinks.forEach((sink: Partial<Sink> | null, i) => {
      if (typeof sink?.write !== 'function' || typeof sink.name !== 'string') invalid(`sinks[${i}]`, 'a sink with a name and write(batch)', sink);
    });
  }
  return resolved;
}
