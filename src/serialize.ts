import { describeError } from './util.js';

/** Redaction settings. A plain string array is shorthand for `{ paths }`. */
export interface RedactOptions {
  /**
   * Dotted paths from the event's top level whose values are replaced; `*` matches any one
   * key or array index (`user.password`, `*.token`, `headers.*`). @default []
   */
  paths?: readonly string[];
  /** More key names to redact wherever they appear (case-insensitive, `-`/`_` ignored). @default [] */
  keys?: readonly string[];
  /** Redact the built-in sensitive keys (authorization, cookie, password, token, …). @default true */
  defaultKeys?: boolean;
  /** Replacement value. @default '[REDACTED]' */
  censor?: string;
}

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
  /** Approximate budget of one event's line in characters; later keys are cut. @default 65536 */
  maxEventBytes?: number;
  /** Redaction; see {@link RedactOptions}. @default the built-in sensitive keys */
  redact?: readonly string[] | RedactOptions;
}

/**
 * Keys redacted by default, normalized (lower case, no `-`/`_`): credentials and session
 * material that must never reach a log store.
 */
export const DEFAULT_SENSITIVE_KEYS: readonly string[] = [
  'authorization', 'proxyauthorization', 'cookie', 'setcookie', 'password', 'passwd', 'pwd',
  'secret', 'token', 'apikey', 'xapikey', 'apisecret', 'accesstoken', 'refreshtoken', 'idtoken',
  'clientsecret', 'privatekey', 'sessionid', 'xauthtoken', 'jwt',
];

const normalizeKey = (key: string): string => key.toLowerCase().replace(/[-_\s]/g, '');

/** How a key is written; cached per key string. */
interface KeyInfo {
  /** `,"key":` (members are written with a leading comma). */
  readonly quoted: string;
  /** How the key is written at the event's top level (`,"_key":` for reserved keys). */
  readonly topQuoted: string;
  readonly sensitive: boolean;
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

/** Serializes arbitrary values to bounded, redacted JSON. Never throws. */
export class Serializer {
  readonly #maxDepth: number;
  readonly #maxStringLength: number;
  readonly #maxKeys: number;
  readonly #maxItems: number;
  readonly #maxEventBytes: number;
  readonly #sensitive: ReadonlySet<string>;
  readonly #paths: Paths;
  readonly #censor: string;
  readonly #censorText: string;
  readonly #keyCache = new Map<string, KeyInfo>();
  readonly #init: SerializeOptions;
  readonly #reserved: ReadonlySet<string>;
  /** Ancestors of the value being written, for cycle detection. */
  readonly #stack: object[] = [];
  /** Characters written so far for the current event. */
  #size = 0;
  #busy = false;

  constructor(options: SerializeOptions = {}, reservedTopLevelKeys: readonly string[] = []) {
    this.#init = options;
    this.#maxDepth = options.maxDepth ?? 10;
    this.#maxStringLength = options.maxStringLength ?? 10_000;
    this.#maxKeys = options.maxKeys ?? 100;
    this.#maxItems = options.maxItems ?? 100;
    this.#maxEventBytes = options.maxEventBytes ?? 65_536;
    const redact: RedactOptions = Array.isArray(options.redact)
      ? { paths: options.redact as readonly string[] }
      : ((options.redact as RedactOptions | undefined) ?? {});
    this.#sensitive = new Set([
      ...(redact.defaultKeys === false ? [] : DEFAULT_SENSITIVE_KEYS),
      ...(redact.keys ?? []).map(normalizeKey),
    ]);
    this.#paths = redact.paths?.length ? redact.paths.map((p) => p.split('.')) : null;
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
   * Runs one top-level write with fresh per-event state (no closure: this is the hot path);
   * re-entrant calls (a getter that logs) get their own serializer.
   */
  #guarded(input: unknown, asFields: boolean): string {
    if (this.#busy) return new Serializer(this.#init, [...this.#reserved]).#guarded(input, asFields);
    this.#busy = true;
    this.#size = 0;
    try {
      if (asFields && typeof input === 'object' && input !== null && !Array.isArray(input)) {
        return this.#objectBody(input, 0, this.#paths, true);
      }
      const value = this.#value(input, 0, this.#paths);
      // Fields that are not an object (a string, an array) still reach the event, under `data`.
      if (asFields) return value === undefined ? '' : `,"data":${value}`;
      return value ?? 'null';
    } catch (error) {
      const text = describeError(error);
      return asFields ? `,"serializationError":${JSON.stringify(text)}` : JSON.stringify(`[Unserializable: ${text}]`);
    } finally {
      // Setting an array's length is a runtime call; the stack is empty unless a write threw.
      if (this.#stack.length !== 0) this.#stack.length = 0;
      this.#busy = false;
    }
  }

  /** A bounded, JSON-safe string literal. */
  string(text: string): string {
    const max = this.#maxStringLength;
    if (text.length > max) text = `${text.slice(0, max)}…[truncated ${text.length - max} chars]`;
    this.#size += text.length;
    return quote(text);
  }

  #keyInfo(key: string): KeyInfo {
    let info = this.#keyCache.get(key);
    if (info === undefined) {
      const quoted = `,${quote(key)}:`;
      info = {
        quoted,
        topQuoted: this.#reserved.has(key) ? `,${quote(`_${key}`)}:` : quoted,
        sensitive: this.#sensitive.has(normalizeKey(key)),
      };
      if (this.#keyCache.size < KEY_CACHE_LIMIT) this.#keyCache.set(key, info);
    }
    return info;
  }

  /** JSON for `v`, or undefined when the value is omitted (undefined, functions, symbols). */
  #value(v: unknown, depth: number, paths: Paths): string | undefined {
    switch (typeof v) {
      case 'string':
        return this.string(v);
      case 'number':
        this.#size += 8;
        return Number.isFinite(v) ? String(v) : `"${String(v)}"`;
      case 'boolean':
        this.#size += 5;
        return v ? 'true' : 'false';
      case 'bigint':
        this.#size += 8;
        return `"${String(v)}"`;
      case 'object':
        return v === null ? 'null' : this.#object(v, depth, paths);
      default:
        return undefined;
    }
  }

  #object(v: object, depth: number, paths: Paths): string {
    if (this.#stack.includes(v)) return '"[Circular]"';
    if (depth >= this.#maxDepth) return Array.isArray(v) ? '"[Array]"' : '"[Object]"';
    this.#stack.push(v);
    try {
      if (Array.isArray(v)) return this.#array(v, depth, paths);
      const proto = Object.getPrototypeOf(v) as object | null;
      if ((proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function') {
        return this.#braced(v, depth, paths);
      }
      return this.#special(v, depth, paths);
    } catch (error) {
      return JSON.stringify(`[Unserializable: ${describeError(error)}]`);
    } finally {
      this.#stack.pop();
    }
  }

  /** Values with a prototype: errors, dates, collections, web objects, toJSON, class instances. */
  #special(v: object, depth: number, paths: Paths): string {
    const tag = Object.prototype.toString.call(v).slice(8, -1);
    if (tag === 'Error' || v instanceof Error) return this.#error(v as Error, depth, paths);
    if (tag === 'Date') {
      // Date.prototype's own methods: a subclass's toISOString or a spoofed toStringTag cannot break the JSON.
      const time = Date.prototype.getTime.call(v);
      return Number.isNaN(time) ? '"Invalid Date"' : `"${Date.prototype.toISOString.call(v)}"`;
    }
    // Before toJSON, which URL has too: its href may carry credentials.
    if (typeof URL === 'function' && v instanceof URL) return this.string(this.#safeUrl(v.href));
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const json: unknown = toJSON.call(v);
      if (typeof json !== 'object' || json === null) return this.#value(json, depth, paths) ?? 'null';
      return Array.isArray(json) ? this.#array(json, depth, paths) : this.#braced(json, depth, paths);
    }
    // Maps and web objects are written as plain summaries (never bodies), class instances as they are.
    let plain: object = v;
    if (v instanceof Map) {
      const entries: Record<string, unknown> = {};
      let n = 0;
      for (const [key, item] of v) {
        if (n++ > this.#maxKeys) break;
        entries[String(key)] = item;
      }
      plain = entries;
    } else if (v instanceof Set) {
      const items: unknown[] = [];
      for (const item of v) {
        if (items.length === this.#maxItems) break;
        items.push(item);
      }
      return this.#array(items, depth, paths, v.size);
    } else if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) {
      return quote(`[${tag}(${(v as ArrayBuffer).byteLength})]`); // the tag can be any string
    } else if (typeof Headers === 'function' && v instanceof Headers) {
      const entries: Record<string, string> = {};
      v.forEach((value, key) => {
        entries[key] = value;
      });
      plain = entries;
    } else if (typeof Request === 'function' && v instanceof Request) {
      plain = { method: v.method, url: this.#safeUrl(v.url), headers: v.headers };
    } else if (typeof Response === 'function' && v instanceof Response) {
      plain = { status: v.status, statusText: v.statusText, url: this.#safeUrl(v.url), headers: v.headers };
    } else if (tag === 'RegExp' || tag === 'Promise' || tag === 'WeakMap') {
      return this.string(String(v));
    }
    return this.#braced(plain, depth, paths);
  }

  /**
   * A URL without credentials: user info is dropped, and query or fragment parameters with
   * sensitive names (`?access_token=`, `#id_token=`) are censored.
   */
  #safeUrl(href: string): string {
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      return href;
    }
    url.username = '';
    url.password = '';
    const censored = (params: URLSearchParams): boolean => {
      let found = false;
      for (const key of new Set(params.keys())) {
        if (!this.#sensitive.has(normalizeKey(key))) continue;
        params.set(key, this.#censorText);
        found = true;
      }
      return found;
    };
    censored(url.searchParams); // URL re-encodes its query only when a parameter changed
    const fragment = new URLSearchParams(url.hash.slice(1));
    if (url.hash.includes('=') && censored(fragment)) url.hash = fragment.toString();
    return url.href;
  }

  #error(e: Error, depth: number, paths: Paths): string {
    const fields: Record<string, unknown> = {};
    for (const key of ['name', 'message', 'stack', 'code'] as const) {
      try {
        const item = (e as unknown as Record<string, unknown>)[key];
        if (item !== undefined) fields[key] = item;
      } catch (error) {
        fields[key] = `[Throws: ${describeError(error)}]`;
      }
    }
    let out = this.#objectBody(fields, depth, paths, false) + this.#objectBody(e, depth, paths, false, ERROR_BUILTIN_KEYS);
    try {
      // Through #member, so redact paths (`err.cause`, `err.cause.token`) and keys apply here too.
      if ('cause' in e && e.cause !== undefined) {
        out += `,"cause":${this.#member(e, 'cause', depth, paths, this.#keyInfo('cause').sensitive) ?? 'null'}`;
      }
      const members = (e as { errors?: unknown }).errors;
      if (Array.isArray(members)) out += `,"errors":${this.#member(e, 'errors', depth, paths, this.#keyInfo('errors').sensitive) ?? 'null'}`;
    } catch (error) {
      out += `,"cause":${JSON.stringify(`[Throws: ${describeError(error)}]`)}`;
    }
    return `{${out.slice(1)}}`;
  }

  #array(items: readonly unknown[], depth: number, paths: Paths, total = items.length): string {
    const n = Math.min(items.length, this.#maxItems);
    let out = '';
    let i = 0;
    for (; i < n && this.#size <= this.#maxEventBytes; i++) out += `,${this.#member(items, i, depth, paths, false) ?? 'null'}`;
    if (total > i) out += `,"[… ${total - i} more items]"`;
    return `[${out.slice(1)}]`;
  }

  /** `v` as a JSON object. */
  #braced(v: object, depth: number, paths: Paths): string {
    return `{${this.#objectBody(v, depth, paths, false).slice(1)}}`;
  }

  /**
   * The members of a JSON object for the own enumerable keys of `v`, each with a leading comma
   * (`,"a":1,"b":2`): at the top level that is the event's fields fragment as it is.
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
    const record = v as Record<string, unknown>;
    for (const key in record) {
      if (!Object.prototype.hasOwnProperty.call(record, key) || skip?.has(key)) continue;
      if (++seen > this.#maxKeys || this.#size > this.#maxEventBytes) {
        out += ',"…":"[truncated keys]"';
        break;
      }
      const info = this.#keyInfo(key);
      const piece = this.#member(record, key, depth, paths, info.sensitive);
      if (piece === undefined) continue;
      const quoted = topLevel ? info.topQuoted : info.quoted;
      this.#size += quoted.length;
      out += quoted + piece;
    }
    return out;
  }

  /**
   * JSON for `parent[key]` (undefined when omitted): the censor when redacted, a marker when
   * reading or writing it throws.
   */
  #member(parent: object, key: string | number, depth: number, paths: Paths, sensitive: boolean): string | undefined {
    const childPaths = paths === null ? null : this.#descend(paths, String(key));
    if (sensitive || childPaths === REDACT) return this.#censor;
    try {
      return this.#value((parent as Record<string | number, unknown>)[key], depth + 1, childPaths);
    } catch (error) {
      return JSON.stringify(`[Throws: ${describeError(error)}]`);
    }
  }

  /** Path patterns that continue below `key`, or REDACT when one ends here. */
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

/** Path patterns left to match below a key; null when none. */
type Paths = readonly (readonly string[])[] | null;

const REDACT = Symbol('redact');
const ERROR_BUILTIN_KEYS: ReadonlySet<string> = new Set(['name', 'message', 'stack', 'code', 'cause', 'errors']);
