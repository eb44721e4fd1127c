/**
 * Which keys are sensitive. Keys are matched by pattern on a normalized form, so spelling
 * variants (`db_password`, `x-csrf-token`, `awsSecretAccessKey`), Unicode compatibility forms
 * (fullwidth letters), invisible characters (zero-width space, soft hyphen) and lookalike
 * Cyrillic/Greek letters do not slip a secret past the default rules.
 */

/** Redaction settings. A plain string array is shorthand for `{ paths }`. */
export interface RedactOptions {
  /**
   * Dotted paths from the event's top level whose values are replaced; `*` matches any one
   * key or array index (`user.password`, `*.token`, `headers.*`). Matched case-insensitively.
   * @default []
   */
  paths?: readonly string[];
  /**
   * More key names to redact wherever they appear, matched whole on the normalized key
   * (case-folded, `-` `_` `.` and spaces removed): `['dob']` redacts `DOB` and `d_o_b`. @default []
   */
  keys?: readonly string[];
  /**
   * More substrings: a key whose normalized form contains one is redacted (`['iban']` redacts
   * `payeeIban`). A RegExp is tested against the normalized key. @default []
   */
  patterns?: readonly (string | RegExp)[];
  /**
   * Keys never redacted by the built-in rules (narrowing them), matched whole on the normalized
   * key: `['primaryKey', 'author']`. Paths, `keys` and `patterns` still apply. @default []
   */
  allow?: readonly string[];
  /** Redact the built-in sensitive keys ({@link DEFAULT_SENSITIVE_PATTERNS} and friends). @default true */
  defaultKeys?: boolean;
  /**
   * Censor secrets inside URL-shaped strings and URL objects: user info, and query or fragment
   * parameters named like a sensitive key or listed in {@link DEFAULT_SECRET_URL_PARAMS}. @default true
   */
  urls?: boolean;
  /** More URL parameter names to censor (normalized like keys). @default [] */
  urlParams?: readonly string[];
  /** Replacement value. @default '[REDACTED]' */
  censor?: string;
}

/**
 * Substrings that make a normalized key sensitive by default: LogTape's default field patterns
 * (password, secret, token, key, credential, auth, signature, sensitive, private, ssn, email,
 * phone, address) and more session and payment material. Not `session` alone: the browser
 * runtime's `session` field is a correlation id, not a credential.
 */
export const DEFAULT_SENSITIVE_PATTERNS: readonly string[] = [
  'passcode', 'passphrase', 'password', 'passwd', 'pwd', 'secret', 'token', 'key', 'credential',
  'auth', 'signature', 'sensitive', 'private', 'ssn', 'email', 'phone', 'address', 'cookie',
  'sessionid', 'sessid', 'csrf', 'xsrf', 'jwt', 'bearer', 'cvv', 'cvc', 'cardnumber', 'creditcard', 'iban',
];

/**
 * Whole words (split at separators and camelCase humps) that make a key sensitive by default:
 * too short to match as substrings (`otp` is inside `footprint`).
 */
export const DEFAULT_SENSITIVE_WORDS: readonly string[] = ['otp', 'sid', 'pin', 'sig', 'pan', 'dob'];

/** Kept for compatibility: the exact keys of earlier versions (all matched by the patterns now). */
export const DEFAULT_SENSITIVE_KEYS: readonly string[] = [
  'authorization', 'proxyauthorization', 'cookie', 'setcookie', 'password', 'passwd', 'pwd',
  'secret', 'token', 'apikey', 'xapikey', 'apisecret', 'accesstoken', 'refreshtoken', 'idtoken',
  'clientsecret', 'privatekey', 'sessionid', 'xauthtoken', 'jwt',
];

/**
 * URL query/fragment parameters censored by default besides those named like a sensitive key:
 * OAuth codes and S3/CloudFront/Azure signatures.
 */
export const DEFAULT_SECRET_URL_PARAMS: readonly string[] = [
  'code', 'sig', 'signature', 'xamzsignature', 'xamzcredential', 'xamzsecuritytoken', 'policy',
  'keypairid',
];

/**
 * Invisible characters that change no rendering: soft hyphen, zero-width marks, BOM, variation
 * selectors. Matched after NFKC, which turns the Hangul fillers U+3164 and U+FFA0 into U+1160.
 */
const INVISIBLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff]/g;

/**
 * Cyrillic and Greek letters that look like Latin ones (after lower-casing): `CONFUSABLE[i]` is
 * read as `LATIN_TWIN[i]`. Two aligned strings rather than a map: a fraction of the bytes in a bundle.
 * ς (final sigma) stands for c, and so does ϲ (lunate sigma), which NFKC turns into ς.
 */
const CONFUSABLE = 'авеёкмнорстухѕіїјԁһԛԝαβεηικνορτυχωςϳζ';
const LATIN_TWIN = 'abeekmhopctyxsiijdhqwabenikvoptuxwcjz';
const GREEK_OR_CYRILLIC = /[\u0370-\u03ff\u0400-\u052f]/g;
/** White space and every ASCII punctuation mark: the four ranges around digits and letters, `!`–`/`, `:`–`@`, `[`–`` ` ``, `{`–`~`. */
const SEPARATORS = /[\s!-/:-@[-`{-~]+/g;

/** Longest prefix of a key that is examined (a key is also written truncated past its limit). */
const MAX_EXAMINED = 1024;

/**
 * A key in comparable form: NFKC, invisible characters dropped, lookalike letters mapped to
 * Latin, case-folded, separators removed. `x-CSRF_Token` → `xcsrftoken`.
 */
export function normalizeKey(key: string): string {
  return wordsOf(key).join('');
}

/** The key's words, normalized: split at separators and camelCase humps (`awsSecretKey` → aws, secret, key). */
function wordsOf(key: string): string[] {
  let text = key.length > MAX_EXAMINED ? key.slice(0, MAX_EXAMINED) : key;
  // Only non-ASCII text needs the Unicode steps (most keys are plain ASCII).
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(text)) {
    text = text.normalize('NFKC').replace(INVISIBLE, '');
    text = text.replace(GREEK_OR_CYRILLIC, (c) => {
      const lower = c.toLowerCase();
      const index = CONFUSABLE.indexOf(lower);
      if (index < 0) return c;
      const latin = LATIN_TWIN[index] as string;
      return lower === c ? latin : latin.toUpperCase(); // keeps camelCase humps
    });
  }
  return text
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(SEPARATORS)
    .filter((word) => word !== '');
}

const CACHE_LIMIT = 4096;

/** Decides, and caches per key string, whether a key or URL parameter is sensitive. */
export class KeyPolicy {
  readonly #patterns: readonly (string | RegExp)[];
  readonly #words: ReadonlySet<string>;
  readonly #exact: ReadonlySet<string>;
  readonly #allow: ReadonlySet<string>;
  readonly #urlParams: ReadonlySet<string>;
  readonly #keys = new Map<string, boolean>();
  readonly #params = new Map<string, boolean>();
  /** Whether URL-shaped strings are censored. */
  readonly urls: boolean;

  constructor(options: RedactOptions = {}) {
    const defaults = options.defaultKeys !== false;
    const normalized = (list: readonly string[] | undefined): string[] => (list ?? []).map(normalizeKey);
    this.#patterns = [
      ...(defaults ? DEFAULT_SENSITIVE_PATTERNS : []),
      ...(options.patterns ?? []).map((p) => (typeof p === 'string' ? normalizeKey(p) : p)),
    ].filter((p) => p !== '');
    this.#words = new Set(defaults ? DEFAULT_SENSITIVE_WORDS : []);
    this.#exact = new Set(normalized(options.keys));
    this.#allow = new Set(normalized(options.allow));
    this.#urlParams = new Set([...(defaults ? DEFAULT_SECRET_URL_PARAMS : []), ...normalized(options.urlParams)]);
    this.urls = options.urls !== false;
  }

  /** Whether values under `key` are censored. */
  isSensitive(key: string): boolean {
    let decision = this.#keys.get(key);
    if (decision === undefined) {
      decision = this.#decide(key);
      remember(this.#keys, key, decision);
    }
    return decision;
  }

  /** Whether a URL query or fragment parameter's value is censored. */
  isSecretParam(name: string): boolean {
    let decision = this.#params.get(name);
    if (decision === undefined) {
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // a malformed escape: judge the name as written
      }
      decision = this.#urlParams.has(normalizeKey(decoded)) || this.isSensitive(decoded);
      remember(this.#params, name, decision);
    }
    return decision;
  }

  #decide(key: string): boolean {
    const words = wordsOf(key);
    const joined = words.join('');
    if (this.#exact.has(joined)) return true;
    if (this.#allow.has(joined)) return false;
    for (const pattern of this.#patterns) {
      if (typeof pattern === 'string' ? joined.includes(pattern) : matches(pattern, joined)) return true;
    }
    for (const word of words) if (this.#words.has(word)) return true;
    return false;
  }
}

function matches(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0; // a global or sticky RegExp keeps state between tests
  return pattern.test(text);
}

/** A bounded cache: once full, it is cleared (cheaper than LRU, and keys repeat in practice). */
function remember(cache: Map<string, boolean>, key: string, decision: boolean): void {
  if (key.length > 256) return; // long keys are rare and would pin memory
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, decision);
}
