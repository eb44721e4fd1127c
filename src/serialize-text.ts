/**
 * The text both serializers write for what is not a plain JSON value: markers for thrown values,
 * truncated strings and keys, huge BigInts, binary data and Dates, the fields of an error, and
 * the descent of redact paths. The core `Serializer` (src/serialize.ts) and the browser's
 * `leanSerializer` (src/lean/serializer.ts) must write the same text; keeping each rule here
 * once means they cannot drift apart. Small pure functions on cold paths only: the per-value
 * hot path stays inline in each serializer.
 */

/** Path patterns left to match below a key; null when none. */
export type Paths = readonly (readonly string[])[] | null;

/** What {@link descend} returns when a redact path ends at the key: the value is censored. */
export const REDACT = 0;

/** The error keys written first (in this order) or linked; the error's other own keys follow them. */
export const ERROR_BUILTIN_KEYS: readonly string[] = ['name', 'message', 'stack', 'code', 'cause', 'errors'];

/**
 * Redact path patterns (lower-cased, split at dots) that continue below `key` (lower-cased),
 * or {@link REDACT} when one ends here. `*` matches any key.
 */
export function descend(paths: NonNullable<Paths>, key: string): Paths | typeof REDACT {
  let next: (readonly string[])[] | null = null;
  for (const path of paths) {
    const head = path[0];
    if (head !== '*' && head !== key) continue;
    if (path.length === 1) return REDACT;
    (next ??= []).push(path.slice(1));
  }
  return next;
}

/** `text` cut to `max` characters and marked `…[truncated N chars]` (string values and keys alike). */
export function truncated(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…[truncated ${text.length - max} chars]` : text;
}

/**
 * `prefix` + a bounded description of a thrown or unserializable value + `]`, e.g.
 * `[Throws: TypeError: boom]`. Its text is bounded because a thrown value may be huge, and it
 * never throws itself (a hostile `name` or `toString` becomes `unprintable error`).
 */
export function describeText(error: unknown, maxStringLength: number, prefix = '[Throws: '): string {
  let text: string;
  try {
    if (error instanceof Error) {
      const message = error.message;
      text = `${String(error.name).slice(0, 200)}: ${typeof message === 'string' ? message.slice(0, maxStringLength) : String(message).slice(0, 200)}`;
    } else text = (typeof error === 'string' ? error : String(error)).slice(0, maxStringLength);
  } catch {
    text = 'unprintable error';
  }
  return `${prefix}${text}]`;
}

/**
 * `[BigInt ~N digits]` for a BigInt too large to convert: the digit count is estimated from
 * the hexadecimal form, which is linear to produce (decimal conversion of a huge BigInt is not).
 */
export function bigintSummary(v: bigint): string {
  // 4 bits per hexadecimal digit, log10(2) decimal digits per bit.
  return `[BigInt ~${Math.ceil((v < 0n ? -v : v).toString(16).length * 4 * Math.LOG10E * Math.LN2)} digits]`;
}

/** `[Uint8Array(16)]`: the kind and size of binary data, never its bytes. */
export function binarySummary(v: ArrayBufferView | ArrayBuffer): string {
  let bytes = 0;
  try {
    bytes = v.byteLength;
  } catch {
    // a detached buffer or a spoofed view: size unknown
  }
  // The tag can be any string (Symbol.toStringTag): bounded.
  return `[${typeTag(v).slice(0, 64)}(${bytes})]`;
}

/** `v`'s built-in type tag (`Date`, `Error`, `Uint8Array`…), or its `Symbol.toStringTag`, which can be any string. */
export function typeTag(v: object): string {
  return Object.prototype.toString.call(v).slice(8, -1);
}

/**
 * A Date as JSON text: its ISO time, or `"Invalid Date"`. Date.prototype's own methods, so a
 * subclass's toISOString or a spoofed toStringTag cannot break the JSON.
 */
export function dateJson(v: object): string {
  return Number.isNaN(Date.prototype.getTime.call(v)) ? '"Invalid Date"' : `"${Date.prototype.toISOString.call(v)}"`;
}

/**
 * An error's `name`, `message`, `stack` and `code` (those defined), read one by one: a getter
 * that throws gives its `[Throws: …]` text instead. These are usually not own enumerable keys,
 * so they are collected here and written before the error's own keys.
 */
export function errorFields(e: Error, maxStringLength: number): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of ERROR_BUILTIN_KEYS.slice(0, 4)) {
    try {
      const item = (e as unknown as Record<string, unknown>)[key];
      if (item !== undefined) fields[key] = item;
    } catch (error) {
      fields[key] = describeText(error, maxStringLength);
    }
  }
  return fields;
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
