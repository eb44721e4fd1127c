import { censorUrlSecrets, mayHoldUrlSecret } from './redact-url.js';
import { KeyPolicy, type RedactOptions } from './redact.js';
import { fitLine } from './serialize-line.js';

export {
  DEFAULT_SECRET_URL_PARAMS,
  DEFAULT_SENSITIVE_KEYS,
  DEFAULT_SENSITIVE_PATTERNS,
  DEFAULT_SENSITIVE_WORDS,
  normalizeKey,
  type RedactOptions,
} from './redact.js';

/** Bounds and redaction of the serializer. */
export interface SerializeOptions {
  /** Nesting depth below the event's top level; deeper values become "[Object]"/"[Array]". @default 10 */
  maxDepth?: number;
  /** Characters kept of any string; the rest is replaced by a truncation marker. @default 10000 */
  maxStringLength?: number;
  /** Keys written per object (Map entries included); the rest are summarized. @default 100 */
  maxKeys?: number;
  /** Items written per array or Set; the rest are summarized. @default 100 */
  maxItems?: number;
  /**
   * Largest line of one event in UTF-8 bytes (at least 256). Members past the budget are cut
   * and marked; a line still over it (big bindings plus big fields) drops its earliest
   * non-envelope fields first, so the call's own fields and the envelope stay. @default 65536
   */
  maxEventBytes?: number;
  /** Characters kept of any key name; longer keys are truncated and marked. @default 256 */
  maxKeyLength?: number;
  /** Redaction; see {@link RedactOptions}. @default the built-in sensitive keys */
  redact?: readonly string[] | RedactOptions;
}

/** How a key is written; cached per key string. */
interface KeyInfo {
  /** `,"key":` (members are written with a leading comma). */
  readonly quoted: string;
  /** How the key is written at the event's top level (`,"_key":` for reserved keys). */
  readonly topQuoted: string;
  readonly sensitive: boolean;
  /** The key lower-cased, for redact paths (matched case-insensitively). */
  readonly lower: string;
  /** Node's `rawHeaders` (any case): a flat list of header names and values, censored by name. */
  readonly rawHeaders: boolean;
}

/**
 * JSON string literal. Short strings without characters that need escaping (quotes,
 * backslashes, control characters, surrogates) skip JSON.stringify: most log values are such.
 */
function quote(text: string): string {
  if (text.length < 64) {
    let plain = true;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) {
        plain = false;
        break;
      }
    }
    if (plain) return `"${text}"`;
  }
  return JSON.stringify(text);
}

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

/** Serializes arbitrary values to bounded, redacted JSON. Never throws. */
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
    if (text.length > max) text = `${text.slice(0, max)}…[truncated ${text.length - max} chars]`;
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
  #describe(error: unknown, prefix = '[Throws: '): string {
    return this.string(this.#describeText(error, prefix));
  }

  #describeText(error: unknown, prefix: string): string {
    let text: string;
    try {
      if (error instanceof Error) {
        const name = String(error.name).slice(0, 200);
        const message = error.message;
        text = `${name}: ${typeof message === 'string' ? message.slice(0, this.#maxStringLength) : String(message).slice(0, 200)}`;
      } else text = typeof error === 'string' ? error.slice(0, this.#maxStringLength) : String(error).slice(0, this.#maxStringLength);
    } catch {
      text = 'unprintable error';
    }
    return `${prefix}${text}]`;
  }

  #keyInfo(key: string): KeyInfo {
    let info = this.#keyCache.get(key);
    if (info === undefined) {
      const max = this.#maxKeyLength;
      const written = key.length > max ? `${key.slice(0, max)}…[truncated ${key.length - max} chars]` : key;
      const quoted = `,${quote(written)}:`;
      info = {
        quoted,
        topQuoted: this.#reserved.has(key) ? `,${quote(`_${key}`)}:` : quoted,
        sensitive: this.#policy.isSensitive(key),
        lower: key.length > max ? written.toLowerCase() : key.toLowerCase(),
        rawHeaders: key.length === 10 && key.toLowerCase() === 'rawheaders',
      };
      // Long keys are not cached: they would pin memory and are rare.
      if (this.#keyCache.size < KEY_CACHE_LIMIT && key.length <= max) this.#keyCache.set(key, info);
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
    // Hexadecimal is linear to produce; 4 bits per digit, log10(2) decimal digits per bit.
    const hexDigits = (v < 0n ? -v : v).toString(16).length;
    return this.string(`[BigInt ~${Math.ceil(hexDigits * 4 * Math.LOG10E * Math.LN2)} digits]`);
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
    if (isBinary(v)) return this.#binary(v);
    const tag = Object.prototype.toString.call(v).slice(8, -1);
    if (tag === 'Error' || v instanceof Error) return this.#error(v as Error, depth, paths);
    if (tag === 'Date') {
      // Date.prototype's own methods: a subclass's toISOString or a spoofed toStringTag cannot break the JSON.
      const time = Date.prototype.getTime.call(v);
      return this.#mark(Number.isNaN(time) ? '"Invalid Date"' : `"${Date.prototype.toISOString.call(v)}"`);
    }
    // Before toJSON, which URL has too: its href may carry credentials.
    if (typeof URL === 'function' && v instanceof URL) return this.string(v.href);
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const json: unknown = toJSON.call(v);
      if (typeof json !== 'object' || json === null) return this.#value(json, depth, paths) ?? this.#mark('null');
      if (isBinary(json)) return this.#binary(json);
      return Array.isArray(json) ? this.#array(json, depth, paths) : this.#braced(json, depth, paths);
    }
    // Maps and web objects are written as plain summaries (never bodies), class instances as they are.
    let plain: object = v;
    if (v instanceof Map) {
      const entries: Record<string, unknown> = {};
      let n = 0;
      for (const [key, item] of v) {
        if (n++ > this.#maxKeys) break;
        entries[typeof key === 'string' ? key : String(key).slice(0, this.#maxKeyLength + 1)] = item;
      }
      plain = entries;
    } else if (v instanceof Set) {
      const items: unknown[] = [];
      for (const item of v) {
        if (items.length === this.#maxItems) break;
        items.push(item);
      }
      return this.#array(items, depth, paths, v.size);
    } else if (typeof Headers === 'function' && v instanceof Headers) {
      const entries: Record<string, string> = {};
      v.forEach((value, key) => {
        entries[key] = value;
      });
      plain = entries;
    } else if (typeof Request === 'function' && v instanceof Request) {
      plain = { method: v.method, url: v.url, headers: v.headers };
    } else if (typeof Response === 'function' && v instanceof Response) {
      plain = { status: v.status, statusText: v.statusText, url: v.url, headers: v.headers };
    } else if (tag === 'RegExp' || tag === 'Promise' || tag === 'WeakMap') {
      return this.string(String(v));
    }
    return this.#braced(plain, depth, paths);
  }

  /** `[Uint8Array(16)]`: the kind and size of binary data, never its bytes. */
  #binary(v: ArrayBufferView | ArrayBuffer): string {
    const tag = Object.prototype.toString.call(v).slice(8, -1).slice(0, 64); // the tag can be any string
    let bytes = 0;
    try {
      bytes = v.byteLength;
    } catch {
      // a detached buffer or a spoofed view: size unknown
    }
    return this.string(`[${tag}(${bytes})]`);
  }

  #error(e: Error, depth: number, paths: Paths): string {
    const fields: Record<string, unknown> = {};
    for (const key of ['name', 'message', 'stack', 'code'] as const) {
      try {
        const item = (e as unknown as Record<string, unknown>)[key];
        if (item !== undefined) fields[key] = item;
      } catch (error) {
        fields[key] = this.#describeText(error, '[Throws: ');
      }
    }
    let out = this.#objectBody(fields, depth, paths, false) + this.#objectBody(e, depth, paths, false, ERROR_BUILTIN_KEYS);
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
      const childPaths = paths === null ? null : this.#descend(paths, info.lower);
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
    const childPaths = paths === null ? null : this.#descend(paths, info === undefined ? String(key) : info.lower);
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

  /** Path patterns that continue below `key` (lower-cased), or REDACT when one ends here. */
  #descend(paths: NonNullable<Paths>, key: string): Paths | typeof REDACT {
    let next: (readonly string[])[] | null = null;
    for (const path of paths) {
      const head = path[0];
      if (head !== '*' && head !== key) continue;
      if (path.length === 1) return REDACT;
      (next ??= []).push(path.slice(1));
    }
    return next;
  }
}

/** Whether `value` is binary data (a typed array, Buffer, DataView, ArrayBuffer or SharedArrayBuffer). */
export function isBinary(value: unknown): value is ArrayBufferView | ArrayBuffer {
  if (typeof value !== 'object' || value === null) return false;
  try {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto === Object.prototype || proto === null) return false; // plain objects: the hot path
    return (
      ArrayBuffer.isView(value) ||
      value instanceof ArrayBuffer ||
      (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer)
    );
  } catch {
    return false; // a revoked Proxy
  }
}

/**
 * Whether `value` is written member by member as an event's fields: an object that is neither
 * an array nor binary data (those are written whole under `data`, bounded or summarized).
 */
export function isFieldsObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return !Array.isArray(value) && !isBinary(value);
  } catch {
    return true; // a revoked Proxy: written member by member, where the failure is contained and marked
  }
}

/** Set while a nested serializer writes what a getter logged (re-entrancy is allowed one level deep). */
let reentered = false;

/** Path patterns left to match below a key; null when none. */
type Paths = readonly (readonly string[])[] | null;

const REDACT = Symbol('redact');
const ERROR_BUILTIN_KEYS: ReadonlySet<string> = new Set(['name', 'message', 'stack', 'code', 'cause', 'errors']);
