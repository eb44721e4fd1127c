import { censorUrlSecrets, mayHoldUrlSecret } from '../redact-url.js';
import { KeyPolicy, type RedactOptions } from '../redact.js';
import { fitLine } from '../serialize-line.js';
import type { SerializeOptions } from '../serialize-options.js';
import { binarySummary, bigintSummary, dateJson, descend, describeText, errorFields, ERROR_BUILTIN_KEYS, isBinary, type Paths, REDACT, truncated, typeTag } from '../serialize-text.js';

/**
 * What the lean logger needs of a serializer; the core `Serializer` (src/serialize.ts) has the
 * same three methods and writes the same text for what a page logs (test/unit/lean-serializer.test.ts
 * compares the two, property tests included).
 */
export interface LeanSerializer {
  /** The top-level fields of an event as a fragment `,"a":1,"b":"x"`; reserved keys are written `_key`. */
  fields(fields: unknown): string;
  /** A bounded, JSON-safe string literal with URL secrets censored. */
  string(text: string): string;
  /** The event's line, cut to `maxEventBytes` UTF-8 bytes. */
  fit(line: string): string;
}

const TRUNCATED_KEYS = ',"…":"[truncated keys]"';

/** Set while a log call made from inside a serialization (a getter that logs) is written: one level deep. */
let busy = 0;

/**
 * The browser's serializer: what a page logs — JSON values, errors (with `cause` and `errors`),
 * cycles, Dates, `toJSON` (URLs), binary data (summarized) — bounded by depth, string length,
 * keys, items and the event's bytes, redacted by the core's key policy (keys and URL secrets in
 * strings) and its `paths`. Never throws. The same rules, markers and text as the core serializer,
 * in closures; left out: the core's summaries of Maps, Sets, Headers, Request and Response (written
 * here by their own fields, usually `{}`) and of RegExps, and Node's `rawHeaders` pairs.
 */
export function leanSerializer(options: SerializeOptions = {}, reserved: readonly string[] = []): LeanSerializer {
  const maxDepth = options.maxDepth ?? 10;
  const maxString = options.maxStringLength ?? 10_000;
  const maxKeys = options.maxKeys ?? 100;
  const maxItems = options.maxItems ?? 100;
  const budget = Math.max(256, options.maxEventBytes ?? 65_536);
  const maxKeyLength = options.maxKeyLength ?? 256;
  const bigLimit = 10n ** BigInt(Math.min(maxString, 1000));
  const redact: RedactOptions = Array.isArray(options.redact) ? { paths: options.redact as readonly string[] } : ((options.redact as RedactOptions | undefined) ?? {});
  const policy = new KeyPolicy(redact);
  const rootPaths: Paths = redact.paths?.length ? redact.paths.map((p) => p.toLowerCase().split('.')) : null;
  const censorText = redact.censor ?? '[REDACTED]';
  const censor = JSON.stringify(censorText);
  let size = 0;
  let stack: object[] = [];

  const mark = (json: string): string => {
    size += json.length;
    return json;
  };

  const string = (text: string): string => {
    text = truncated(text, maxString);
    if (policy.urls && mayHoldUrlSecret(text)) text = censorUrlSecrets(text, policy, censorText);
    return mark(JSON.stringify(text));
  };

  const describe = (error: unknown, prefix?: string): string => string(describeText(error, maxString, prefix));

  /**
   * JSON for `parent[key]` (undefined when omitted): the censor when its key is `sensitive` or a
   * path ends at `name` (the key as written), a marker when reading or writing it throws.
   */
  const member = (parent: object, key: string | number, depth: number, paths: Paths, sensitive = false, name = String(key)): string | undefined => {
    const childPaths = paths === null ? null : descend(paths, name.toLowerCase());
    if (sensitive || childPaths === REDACT) return mark(censor);
    try {
      return value((parent as Record<string | number, unknown>)[key], depth + 1, childPaths);
    } catch (error) {
      return describe(error);
    }
  };

  const objectBody = (v: object, depth: number, paths: Paths, top: boolean, skip?: readonly string[]): string => {
    let out = '';
    let seen = 0;
    for (const key in v) {
      if (!Object.hasOwn(v, key) || skip?.includes(key)) continue;
      if (++seen > maxKeys || size > budget) return out + mark(TRUNCATED_KEYS);
      // Keys are not cached (a page logs little; the key policy caches its decisions).
      const name = truncated(key, maxKeyLength);
      const piece = member(v, key, depth, paths, policy.isSensitive(key), name);
      if (piece === undefined) continue;
      const quoted = `,${JSON.stringify(top && reserved.includes(key) ? `_${key}` : name)}:`;
      size += quoted.length;
      if (size > budget) return out + mark(TRUNCATED_KEYS);
      out += quoted + piece;
    }
    return out;
  };

  const braced = (v: object, depth: number, paths: Paths): string => {
    size += 2; // before the members: the braces count against the budget they are cut to
    return `{${objectBody(v, depth, paths, false).slice(1)}}`;
  };

  const array = (items: readonly unknown[], depth: number, paths: Paths): string => {
    const n = Math.min(items.length, maxItems);
    let out = '';
    let i = 0;
    size += 2;
    for (; i < n && size <= budget; i++) {
      const piece = member(items, i, depth, paths) ?? 'null';
      size += piece.length + 1;
      if (size > budget) break;
      out += `,${piece}`;
    }
    if (items.length > i) out += mark(`,"[… ${items.length - i} more items]"`);
    return `[${out.slice(1)}]`;
  };

  const error = (e: Error, depth: number, paths: Paths): string => {
    const fields = errorFields(e, maxString);
    const linked = (key: 'cause' | 'errors'): string => `,"${key}":${member(e, key, depth, paths, policy.isSensitive(key)) ?? 'null'}`;
    let out = objectBody(fields, depth, paths, false) + objectBody(e, depth, paths, false, ERROR_BUILTIN_KEYS);
    try {
      if ('cause' in e && e.cause !== undefined) out += linked('cause');
      if (Array.isArray((e as { errors?: unknown }).errors)) out += linked('errors');
    } catch (thrown) {
      out += `,"cause":${describe(thrown)}`;
    }
    size += 2;
    return `{${out.slice(1)}}`;
  };

  /**
   * Values with a prototype: binary data (summarized), errors, Dates, `toJSON` (URLs: the same
   * text as the core's, secrets censored), and class instances by their own fields. Maps,
   * Sets, Headers, Request and Response are written by their own fields too (the core summarizes
   * them; a page converts them first: `Object.fromEntries(map)`, `[...set]`).
   */
  const special = (v: object, depth: number, paths: Paths): string => {
    if (isBinary(v)) return string(binarySummary(v));
    const tag = typeTag(v);
    if (tag === 'Error' || v instanceof Error) return error(v as Error, depth, paths);
    if (tag === 'Date') return mark(dateJson(v));
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON !== 'function') return braced(v, depth, paths);
    const json: unknown = toJSON.call(v);
    if (typeof json !== 'object' || json === null) return value(json, depth, paths) ?? mark('null');
    if (isBinary(json)) return string(binarySummary(json));
    return Array.isArray(json) ? array(json, depth, paths) : braced(json, depth, paths);
  };

  const object = (v: object, depth: number, paths: Paths): string => {
    if (stack.includes(v)) return mark('"[Circular]"');
    if (depth >= maxDepth) return mark(Array.isArray(v) ? '"[Array]"' : '"[Object]"');
    stack.push(v);
    try {
      if (Array.isArray(v)) return array(v, depth, paths);
      const proto = Object.getPrototypeOf(v) as unknown;
      if ((proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function') return braced(v, depth, paths);
      return special(v, depth, paths);
    } catch (thrown) {
      return describe(thrown, '[Unserializable: ');
    } finally {
      stack.pop();
    }
  };

  /** JSON for `v`, or undefined when it is omitted (undefined, functions, symbols). */
  const value = (v: unknown, depth: number, paths: Paths): string | undefined => {
    switch (typeof v) {
      case 'string':
        return string(v);
      case 'number':
        return mark(Number.isFinite(v) ? String(v) : `"${v}"`);
      case 'boolean':
        size += 5;
        return String(v);
      case 'bigint':
        // Decimal conversion of a huge BigInt costs far more than comparing it with a bound.
        return v < bigLimit && v > -bigLimit ? mark(`"${v}"`) : string(bigintSummary(v));
      case 'object':
        return v === null ? 'null' : object(v, depth, paths);
      default:
        return undefined;
    }
  };

  return {
    fields(input) {
      // A log call made while a value is being written (a getter that logs) gets fresh state, one level deep.
      if (busy > 1) return ',"serializationError":"[re-entrant log call]"';
      const outer = [size, stack] as const;
      busy++;
      size = 0;
      stack = [];
      try {
        if (typeof input === 'object' && input !== null && !Array.isArray(input) && !isBinary(input)) return objectBody(input, 0, rootPaths, true);
        // Fields that are not an object (a string, an array, bytes) still reach the event, under `data`.
        const written = value(input, 0, rootPaths);
        return written === undefined ? '' : `,"data":${written}`;
      } catch (thrown) {
        return `,"serializationError":${describe(thrown)}`;
      } finally {
        busy--;
        [size, stack] = outer;
      }
    },
    string,
    fit: (line) => (line.length * 3 <= budget ? line : fitLine(line, budget)),
  };
}
