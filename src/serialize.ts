import { censorUrlSecrets, mayHoldUrlSecret } from './redact-url.js';
import { KeyPolicy, type RedactOptions } from './redact.js';
import { type KeyInfo, keyInfoOf } from './serialize-keys.js';
import { fitLine } from './serialize-line.js';
import type { SerializeOptions } from './serialize-options.js';
import { firstItems, summaryFields } from './serialize-summary.js';
import {
  binarySummary,
  bigintSummary,
  dateJson,
  descend,
  describeText,
  errorFields,
  ERROR_BUILTIN_KEYS,
  isBinary,
  type Paths,
  REDACT,
  truncated,
  typeTag,
} from './serialize-text.js';

export {
  DEFAULT_SECRET_URL_PARAMS,
  DEFAULT_SENSITIVE_KEYS,
  DEFAULT_SENSITIVE_PATTERNS,
  DEFAULT_SENSITIVE_WORDS,
  normalizeKey,
  type RedactOptions,
} from './redact.js';
export type { SerializeOptions } from './serialize-options.js';
export { isBinary, isFieldsObject } from './serialize-text.js';

const KEY_CACHE_LIMIT = 4096;

/** {@link Serializer.string}'s character classes: what JSON must escape, and `:` `?` `#` (URL-ish). */
const NEEDS_ESCAPE = 1;
const URLISH = 2;
/** Marked pure: a bundle that never serializes drops the table (a statement at module level would keep it). */
const ASCII_CLASS = /* @__PURE__ */ asciiClasses();

function asciiClasses(): Uint8Array {
  const classes = new Uint8Array(128);
  for (let c = 0; c < 32; c++) classes[c] = NEEDS_ESCAPE;
  classes[34] = NEEDS_ESCAPE; // "
  classes[92] = NEEDS_ESCAPE; // backslash
  classes[58] = URLISH; // :
  classes[63] = URLISH; // ?
  classes[35] = URLISH; // #
  return classes;
}

/** Longest message {@link Serializer.message} remembers. */
const MESSAGE_CACHE_MAX_LENGTH = 256;

/**
 * Serializes arbitrary values to bounded, redacted JSON. Never throws. The text of its markers
 * and summaries (thrown values, truncation, BigInt, binary data, Dates, error fields) comes from
 * src/serialize-text.ts, shared with the browser's lean serializer, which must write the same text.
 */
export class Serializer {
  readonly #maxDepth: number;
  readonly #maxStringLength: number;
  readonly #maxKeys: number;
  readonly #maxItems: number;
  readonly #maxEventBytes: number;
  readonly #maxKeyLength: number;
  readonly #policy: KeyPolicy;
  readonly #paths: Paths;
  readonly #censor: string;
  readonly #censorText: string;
  readonly #keyCache = new Map<string, KeyInfo>();
  /** The keys of the last event's top-level fields, by position, and how each is written. */
  readonly #topKeys: string[] = [];
  readonly #topInfos: KeyInfo[] = [];
  /** BigInts at or past ±10^min(maxStringLength, 1000) are summarized instead of converted. */
  readonly #bigLimit: bigint;
  readonly #init: SerializeOptions;
  readonly #reserved: ReadonlySet<string>;
  /** Ancestors of the value being written, for cycle detection. */
  readonly #stack: object[] = [];
  /** The last message and its JSON ({@link message}). */
  #lastMessage: string | undefined;
  #lastMessageJson = '';
  /** Characters written so far for the current event. */
  #size = 0;
  #busy = false;
  /** The serializer that writes what a getter logs while this one is busy (one level deep). */
  #nested: Serializer | undefined;

  constructor(options: SerializeOptions = {}, reservedTopLevelKeys: readonly string[] = []) {
    this.#init = options;
    this.#maxDepth = options.maxDepth ?? 10;
    this.#maxStringLength = options.maxStringLength ?? 10_000;
    this.#maxKeys = options.maxKeys ?? 100;
    this.#maxItems = options.maxItems ?? 100;
    this.#maxEventBytes = Math.max(256, options.maxEventBytes ?? 65_536);
    this.#maxKeyLength = options.maxKeyLength ?? 256;
    this.#bigLimit = 10n ** BigInt(Math.min(this.#maxStringLength, 1000));
    const redact: RedactOptions = Array.isArray(options.redact)
      ? { paths: options.redact as readonly string[] }
      : ((options.redact as RedactOptions | undefined) ?? {});
    this.#policy = new KeyPolicy(redact);
    // Paths match case-insensitively: `user.ssn` also covers `user.SSN`.
    this.#paths = redact.paths?.length ? redact.paths.map((p) => p.toLowerCase().split('.')) : null;
    this.#censorText = redact.censor ?? '[REDACTED]';
    this.#censor = JSON.stringify(this.#censorText);
    this.#reserved = new Set(reservedTopLevelKeys);
  }

  /**
   * Writes the top-level fields of an event as a fragment `,"a":1,"b":"x"` (empty when there
   * are none), ready to splice into a JSON object. Reserved top-level keys are prefixed `_`.
   */
  fields(fields: unknown): string {
    return this.#guarded(fields, true);
  }

  /** Writes any value as JSON text (`null` for what JSON cannot hold). */
  stringify(value: unknown): string {
    return this.#guarded(value, false);
  }

  /**
   * The event's line, bounded to `maxEventBytes` UTF-8 bytes. Costs one comparison for lines
   * under a third of the budget (no character takes more than 3 bytes).
   */
  fit(line: string): string {
    return line.length * 3 <= this.#maxEventBytes ? line : fitLine(line, this.#maxEventBytes);
  }

  /**
   * Runs one top-level write with fresh per-event state (no closure: this is the hot path).
   * A re-entrant call (a getter that logs) gets a nested serializer, one level deep: a getter
   * that logs its own object would otherwise recurse until the stack overflows.
   */
  #guarded(input: unknown, asFields: boolean): string {
    if (this.#busy) {
      if (reentered) return asFields ? ',"serializationError":"[re-entrant log call]"' : '"[Re-entrant]"';
      reentered = true;
      try {
        return (this.#nested ??= new Serializer(this.#init, [...this.#reserved])).#guarded(input, asFields);
      } finally {
        reentered = false;
      }
    }
    this.#busy = true;
    this.#size = 0;
    try {
      if (asFields && typeof input === 'object' && input !== null && !Array.isArray(input) && !isBinary(input)) {
        return this.#objectBody(input, 0, this.#paths, true);
      }
      const value = this.#value(input, 0, this.#paths);
      // Fields that are not an object (a string, an array, bytes) still reach the event, under `data`.
      if (asFields) return value === undefined ? '' : `,"data":${value}`;
      return value ?? 'null';
    } catch (error) {
      const text = this.#describe(error);
      return asFields ? `,"serializationError":${text}` : this.#describe(error, '[Unserializable: ');
    } finally {
      // Setting an array's length is a runtime call; the stack is empty unless a write threw.
      if (this.#stack.length !== 0) this.#stack.length = 0;
      this.#busy = false;
    }
  }

  /**
   * A bounded, JSON-safe string literal; URL secrets inside it are censored. Short strings are
   * scanned once for both JSON escaping and URL-ish characters (`:`, `?`, `#`).
   */
  string(text: string): string {
    const max = this.#maxStringLength;
    if (text.length > max) text = truncated(text, max);
    let json: string | undefined;
    if (text.length < 64) {
      // One table read per character: bit 1 = JSON must escape it, bit 2 = it may start a URL secret.
      let seen = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        seen |= c < 128 ? (ASCII_CLASS[c] as number) : c >= 0xd800 && c <= 0xdfff ? NEEDS_ESCAPE : 0;
      }
      if (seen !== 0 && this.#policy.urls && mayHoldUrlSecret(text)) {
        text = censorUrlSecrets(text, this.#policy, this.#censorText);
        seen |= NEEDS_ESCAPE;
      }
      if ((seen & NEEDS_ESCAPE) === 0) json = `"${text}"`;
    } else if (this.#policy.urls && mayHoldUrlSecret(text)) {
      text = censorUrlSecrets(text, this.#policy, this.#censorText);
    }
    json ??= JSON.stringify(text);
    this.#size += json.length;
    return json;
  }

  /**
   * An event's message as JSON: {@link string}, remembered for the next event. Messages are
   * mostly literals, and one call site logs the same one again and again; comparing the same
   * string object is a pointer check.
   */
  message(text: string): string {
    if (text.length > MESSAGE_CACHE_MAX_LENGTH) return this.string(text); // not pinned in memory
    if (text !== this.#lastMessage) {
      this.#lastMessageJson = this.string(text);
      this.#lastMessage = text;
    }
    return this.#lastMessageJson;
  }

  /** `prefix` + a bounded description of a thrown value, as a JSON string (its text may be huge). */
  #describe(error: unknown, prefix?: string): string {
    return this.string(describeText(error, this.#maxStringLength, prefix));
  }

  #keyInfo(key: string): KeyInfo {
    let info = this.#keyCache.get(key);
    if (info === undefined) {
      info = keyInfoOf(key, this.#maxKeyLength, this.#reserved, this.#policy);
      // Long keys are not cached: they would pin memory and are rare.
      if (this.#keyCache.size < KEY_CACHE_LIMIT && key.length <= this.#maxKeyLength) this.#keyCache.set(key, info);
    }
    return info;
  }

  /** JSON for `v`, or undefined when the value is omitted (undefined, functions, symbols). */
  #value(v: unknown, depth: number, paths: Paths): string | undefined {
    switch (typeof v) {
      case 'string':
        return this.string(v);
      case 'number': {
        const text = Number.isFinite(v) ? String(v) : `"${String(v)}"`;
        this.#size += text.length;
        return text;
      }
      case 'boolean':
        this.#size += 5;
        return v ? 'true' : 'false';
      case 'bigint':
        return this.#bigint(v);
      case 'object':
        return v === null ? 'null' : this.#object(v, depth, paths);
      default:
        return undefined;
    }
  }

  /**
   * A BigInt as a decimal string, or a summary when it has more digits than a string may hold:
   * decimal conversion of a huge BigInt costs far more than comparing it with a bound.
   */
  #bigint(v: bigint): string {
    if (v < this.#bigLimit && v > -this.#bigLimit) {
      const text = `"${v}"`;
      this.#size += text.length;
      return text;
    }
    return this.string(bigintSummary(v));
  }

  #object(v: object, depth: number, paths: Paths, pairs = false): string {
    if (this.#stack.includes(v)) return this.#mark('"[Circular]"');
    if (depth >= this.#maxDepth) return this.#mark(Array.isArray(v) ? '"[Array]"' : '"[Object]"');
    this.#stack.push(v);
    try {
      if (Array.isArray(v)) return this.#array(v, depth, paths, v.length, pairs);
      const proto = Object.getPrototypeOf(v) as object | null;
      if ((proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function') {
        return this.#braced(v, depth, paths);
      }
      return this.#special(v, depth, paths);
    } catch (error) {
      return this.#describe(error, '[Unserializable: ');
    } finally {
      this.#stack.pop();
    }
  }

  /** A fixed JSON text, counted in the event's size. */
  #mark(json: string): string {
    this.#size += json.length;
    return json;
  }

  /** Values with a prototype: errors, dates, collections, web objects, toJSON, class instances. */
  #special(v: object, depth: number, paths: Paths): string {
    // Bytes before toJSON (Buffer has one that turns every byte into a number): a summary, never the content.
    if (isBinary(v)) return this.string(binarySummary(v));
    const tag = typeTag(v);
    if (tag === 'Error' || v instanceof Error) return this.#error(v as Error, depth, paths);
    if (tag === 'Date') return this.#mark(dateJson(v));
    // Before toJSON, which URL has too: its href may carry credentials.
    if (typeof URL === 'function' && v instanceof URL) return this.string(v.href);
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const json: unknown = toJSON.call(v);
      if (typeof json !== 'object' || json === null) return this.#value(json, depth, paths) ?? this.#mark('null');
      if (isBinary(json)) return this.string(binarySummary(json));
      return Array.isArray(json) ? this.#array(json, depth, paths) : this.#braced(json, depth, paths);
    }
    // Maps and web objects are written as plain summaries (never bodies), class instances as they are.
    const summary = summaryFields(v, this.#maxKeys, this.#maxKeyLength);
    if (summary !== undefined) return this.#braced(summary, depth, paths);
    if (v instanceof Set) return this.#array(firstItems(v, this.#maxItems), depth, paths, v.size);
    if (tag === 'RegExp' || tag === 'Promise' || tag === 'WeakMap') return this.string(String(v));
    return this.#braced(v, depth, paths);
  }

  #error(e: Error, depth: number, paths: Paths): string {
    const fields = errorFields(e, this.#maxStringLength);
    let out = this.#objectBody(fields, depth, paths, false) + this.#objectBody(e, depth, paths, false, ERROR_KEYS);
    try {
      // Through #member, so redact paths (`err.cause`, `err.cause.token`) and keys apply here too.
      if ('cause' in e && e.cause !== undefined) {
        out += `,"cause":${this.#member(e, 'cause', depth, paths, this.#keyInfo('cause')) ?? 'null'}`;
      }
      const members = (e as { errors?: unknown }).errors;
      if (Array.isArray(members)) out += `,"errors":${this.#member(e, 'errors', depth, paths, this.#keyInfo('errors')) ?? 'null'}`;
    } catch (error) {
      out += `,"cause":${this.#describe(error)}`;
    }
    this.#size += 2;
    return `{${out.slice(1)}}`;
  }

  /**
   * `items` as a JSON array, cut where the event's budget runs out. With `pairs` (Node's
   * `rawHeaders`: name, value, name, value…) a value whose name is sensitive is censored.
   */
  #array(items: readonly unknown[], depth: number, paths: Paths, total = items.length, pairs = false): string {
    const n = Math.min(items.length, this.#maxItems);
    const budget = this.#maxEventBytes;
    let out = '';
    let i = 0;
    this.#size += 2;
    for (; i < n && this.#size <= budget; i++) {
      let piece: string | undefined;
      const name = pairs && i % 2 === 1 ? items[i - 1] : undefined;
      if (typeof name === 'string' && this.#keyInfo(name).sensitive) piece = this.#censor;
      else piece = this.#member(items, i, depth, paths, undefined);
      piece ??= 'null';
      this.#size += piece.length + 1;
      if (this.#size > budget) break; // this item pushed the event past its budget: cut here
      out += `,${piece}`;
    }
    if (total > i) out += this.#mark(`,"[… ${total - i} more items]"`);
    return `[${out.slice(1)}]`;
  }

  /** `v` as a JSON object. */
  #braced(v: object, depth: number, paths: Paths): string {
    this.#size += 2;
    return `{${this.#objectBody(v, depth, paths, false).slice(1)}}`;
  }

  /**
   * The members of a JSON object for the own enumerable keys of `v`, each with a leading comma
   * (`,"a":1,"b":2`): at the top level that is the event's fields fragment as it is. A member
   * that pushes the event past its budget is left out and the object marked as cut.
   */
  #objectBody(
    v: object,
    depth: number,
    paths: Paths,
    topLevel: boolean,
    skip?: ReadonlySet<string>,
  ): string {
    let out = '';
    let seen = 0;
    const budget = this.#maxEventBytes;
    const record = v as Record<string, unknown>;
    for (const key in record) {
      if (!Object.prototype.hasOwnProperty.call(record, key) || skip?.has(key)) continue;
      if (++seen > this.#maxKeys || this.#size > budget) {
        out += this.#mark(',"…":"[truncated keys]"');
        break;
      }
      let info: KeyInfo;
      if (topLevel) {
        // Events of one call site have the same keys in the same order: the key names from for-in
        // are interned, so comparing them with the last event's is a pointer check, cheaper than the cache.
        const slot = seen - 1;
        if (this.#topKeys[slot] === key) info = this.#topInfos[slot] as KeyInfo;
        else {
          info = this.#keyInfo(key);
          // Long keys are not kept (as in the cache): they would pin memory.
          if (key.length <= this.#maxKeyLength) {
            this.#topKeys[slot] = key;
            this.#topInfos[slot] = info;
          }
        }
      } else info = this.#keyInfo(key);
      // As #member, with the value read here: a keyed read in the for-in body itself takes
      // V8's enumeration-cache fast path (a read in a called function is a generic lookup).
      const childPaths = paths === null ? null : descend(paths, info.lower);
      let piece: string | undefined;
      if (info.sensitive || childPaths === REDACT) piece = this.#mark(this.#censor);
      else {
        try {
          piece = this.#written(record[key], depth, childPaths, info);
        } catch (error) {
          piece = this.#describe(error);
        }
      }
      if (piece === undefined) continue;
      const quoted = topLevel ? info.topQuoted : info.quoted;
      this.#size += quoted.length;
      if (this.#size > budget) {
        out += this.#mark(',"…":"[truncated keys]"');
        break;
      }
      out += quoted + piece;
    }
    return out;
  }

  /**
   * JSON for `parent[key]` (undefined when omitted): the censor when redacted, a marker when
   * reading or writing it throws.
   */
  #member(parent: object, key: string | number, depth: number, paths: Paths, info: KeyInfo | undefined): string | undefined {
    const childPaths = paths === null ? null : descend(paths, info === undefined ? String(key) : info.lower);
    if (info?.sensitive === true || childPaths === REDACT) return this.#mark(this.#censor);
    try {
      return this.#written((parent as Record<string | number, unknown>)[key], depth, childPaths, info);
    } catch (error) {
      return this.#describe(error);
    }
  }

  /** JSON for a member's value (undefined when omitted), one level below `depth`. */
  #written(value: unknown, depth: number, childPaths: Paths, info: KeyInfo | undefined): string | undefined {
    if (info?.rawHeaders === true && Array.isArray(value)) {
      return this.#object(value, depth + 1, childPaths, true);
    }
    return this.#value(value, depth + 1, childPaths);
  }
}

/** Set while a nested serializer writes what a getter logged (re-entrancy is allowed one level deep). */
let reentered = false;

/** {@link ERROR_BUILTIN_KEYS} as a set: the error's own keys not written again among its other fields. */
const ERROR_KEYS: ReadonlySet<string> = new Set(ERROR_BUILTIN_KEYS);
