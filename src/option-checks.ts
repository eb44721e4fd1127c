/**
 * Development checks of options: every value against its rule, and unknown keys named with the
 * closest valid one (`did you mean "level"?`). Reached only from the guarded calls in options.ts,
 * so a production bundle (`process.env.NODE_ENV` defined as 'production') drops this file; its
 * tables are built at the first check, never at import.
 */
import { LEVELS } from './event.js';
import type { LoggerOptions } from './options.js';
import { INT1, invalid, LEVEL, MS, STRING, type Rule } from './option-rules.js';

const OBJECT: Rule = [(v) => typeof v === 'object' && v !== null, 'an object'];
const BOOLEAN: Rule = [(v) => typeof v === 'boolean', 'a boolean'];
const FUNCTION: Rule = [(v) => typeof v === 'function', 'a function'];
const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every((item) => typeof item === 'string');
const STRINGS: Rule = [isStrings, 'an array of strings'];
const RATE: Rule = [(v) => typeof v === 'number' && v >= 0 && v <= 1, 'a number from 0 to 1', 'number'];

/** What each option must be, by path; checked in order, so a parent object is checked before its keys. */
function makeRules(): Readonly<Record<string, Rule>> {
  return {
    level: LEVEL,
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
}

/**
 * Top-level keys the runtime entries add to the core options (their `createLogger` passes its
 * options through here). A key missing from here and from the rules is rejected as unknown.
 */
const RUNTIME_KEYS = [
  'file', 'console', 'exit', 'spool', // Node
  'logger', 'flushTimeoutMs', 'waitUntil', 'onFlush', // Edge, Next.js, Hono, Lambda wrappers
  'publicKey', 'headers', 'maxRequestBytes', 'maxKeepaliveInFlight', 'offline', 'captureErrors', 'sessionId', // browser
  'marginMs', 'timeoutWarningMs', 'failureBuffer', // Lambda
  'asyncLocalStorage', // Workers
] as const;

/** Written as a record so the compiler fails when LoggerOptions gains a key the list lacks (or the list has one it lacks). */
const CORE_KEYS: Record<keyof LoggerOptions, true> = {
  service: true, env: true, version: true, level: true, sinks: true, endpoint: true, batch: true, retry: true,
  maxBufferSize: true, sendTimeoutMs: true, onDropped: true, redact: true, limits: true, sample: true, fields: true, eventId: true, vars: true,
};

/** Keys of each option object (`''` is the top level; nested ones from the rules' paths). */
function makeKnownKeys(rules: Readonly<Record<string, Rule>>): ReadonlyMap<string, readonly string[]> {
  const known = new Map<string, string[]>([['', [...Object.keys(CORE_KEYS), ...RUNTIME_KEYS]]]);
  for (const path of Object.keys(rules)) {
    const dot = path.lastIndexOf('.');
    if (dot === -1) continue;
    const parent = path.slice(0, dot);
    const list = known.get(parent) ?? [];
    list.push(path.slice(dot + 1));
    known.set(parent, list);
  }
  return known;
}

let tables: { rules: Readonly<Record<string, Rule>>; known: ReadonlyMap<string, readonly string[]> } | undefined;

/** The rules and known keys, built at the first check. */
function checkTables(): NonNullable<typeof tables> {
  if (tables === undefined) {
    const rules = makeRules();
    tables = { rules, known: makeKnownKeys(rules) };
  }
  return tables;
}

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

/** Throws a TypeError for the first own key of `options` that is not in `known`, naming the closest valid key. */
export function checkKeys(options: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = closestKey(key, known);
    const hint = near === undefined ? `valid options: ${known.join(', ')}` : `did you mean "${near}"?`;
    throw new TypeError(`shiplog: unknown ${where} option "${key}"; ${hint}`);
  }
}

/** {@link checkKeys} for a sink's options and its `batch` and `retry` objects. */
export function checkSinkKeys(options: object, known: readonly string[], where: string): void {
  checkKeys(options, known, where);
  for (const nested of ['batch', 'retry'] as const) {
    const value = (options as Record<string, unknown>)[nested];
    if (typeof value === 'object' && value !== null) checkKeys(value, checkTables().known.get(nested) ?? [], `${where} ${nested}`);
  }
}

function at(options: object, path: string): unknown {
  let value: unknown = options;
  // Not into arrays: `redact: ['a.b']` has no `redact.keys` option (Array.prototype.keys is a function).
  for (const key of path.split('.')) value = Array.isArray(value) ? undefined : (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

/** Every option value against its rule and every key against the known ones; throws naming the first bad one. */
export function checkOptions(options: LoggerOptions): void {
  const { rules, known } = checkTables();
  for (const [path, [test, expected, type]] of Object.entries(rules)) {
    const value = at(options, path);
    if (value !== undefined && !test(value)) invalid(path, expected, value, type);
    const keys = known.get(path);
    if (keys !== undefined && typeof value === 'object' && value !== null && !Array.isArray(value)) checkKeys(value, keys, `createLogger ${path}`);
  }
  checkKeys(options, known.get('') as readonly string[], 'createLogger');
}
