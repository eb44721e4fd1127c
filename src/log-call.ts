/**
 * What both loggers (the core `Logger` and the browser's lean one) do with a log call's
 * arguments besides serializing them: tell an error from fields, and merge fields over bindings.
 */
import type { Fields } from './options.js';
import { isFieldsObject } from './serialize-text.js';

/**
 * `instanceof Error`, or with `acrossRealms` also an Error from another realm (by its tag). False,
 * not a throw, for a Proxy whose traps throw or a revoked one: as fields, the serializer contains it.
 * The tag check costs a call, so the `(msg, fields)` hot path skips it.
 */
export function isError(value: unknown, acrossRealms = false): value is Error {
  try {
    return value instanceof Error || (acrossRealms && Object.prototype.toString.call(value) === '[object Error]');
  } catch {
    return false;
  }
}

/**
 * `base` overridden by `fields`; undefined when reading `fields` throws (a getter, a hostile
 * Proxy). Bytes or an array bound as fields are kept whole under `data` (spreading them copies every item).
 */
export function mergeFields(base: Readonly<Fields>, fields: unknown): Fields | undefined {
  try {
    if (fields !== undefined && fields !== null && !isFieldsObject(fields)) return { ...base, data: fields };
    return { ...base, ...(fields as Fields | undefined) };
  } catch {
    return undefined;
  }
}
