import type { KeyPolicy } from './redact.js';
import { truncated } from './serialize-text.js';

/** How the core `Serializer` writes a key; built once per key string and cached. */
export interface KeyInfo {
  /** `,"key":` (members are written with a leading comma). */
  readonly quoted: string;
  /** How the key is written at the event's top level (`,"_key":` for reserved keys). */
  readonly topQuoted: string;
  /** Whether the key policy censors the key's value. */
  readonly sensitive: boolean;
  /** The key (as written) lower-cased, for redact paths (matched case-insensitively). */
  readonly lower: string;
  /** Node's `rawHeaders` (any case): a flat list of header names and values, censored by name. */
  readonly rawHeaders: boolean;
}

/**
 * How `key` is written: bounded to `maxKeyLength` and marked when longer, `_`-prefixed at the top
 * level when `reserved`, and whether its value is censored. Runs on a cache miss only.
 */
export function keyInfoOf(key: string, maxKeyLength: number, reserved: ReadonlySet<string>, policy: KeyPolicy): KeyInfo {
  const written = truncated(key, maxKeyLength);
  const quoted = `,${quote(written)}:`;
  return {
    quoted,
    topQuoted: reserved.has(key) ? `,${quote(`_${key}`)}:` : quoted,
    sensitive: policy.isSensitive(key),
    lower: written.toLowerCase(),
    rawHeaders: key.length === 10 && key.toLowerCase() === 'rawheaders',
  };
}

/**
 * JSON string literal. Short strings without characters that need escaping (quotes,
 * backslashes, control characters, surrogates) skip JSON.stringify: most keys are such.
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
