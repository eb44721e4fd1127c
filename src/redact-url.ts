import type { KeyPolicy } from './redact.js';

/**
 * Whether a string may carry a URL secret; the cheap test that keeps ordinary strings off the
 * slow path: it must contain `://`, or `?`/`#` together with `=`.
 */
export function mayHoldUrlSecret(text: string): boolean {
  return text.includes('://') || ((text.includes('?') || text.includes('#')) && text.includes('='));
}

/** `scheme://user:password@` — the user info of a URL anywhere in a text. */
const USER_INFO = /\b([a-z][a-z\d+.-]{0,31}:\/\/)[^\s/?#@"'<>]{1,256}@/gi;

/**
 * `?name=value`, `&name=value`, `#name=value`, `;name=value` (also in a fragment such as
 * `#/cb?access_token=`). Names are bounded, so the scan stays linear in the text.
 */
const PARAM = /([?&#;])([^=&#?;\s"'<>]{1,128})=([^&#;\s"'<>]+)/g;

/**
 * The text with URL user info and secret query/fragment parameters replaced by `censor`
 * (which parameters: {@link KeyPolicy.isSecretParam}). Returns the text itself when nothing
 * matched.
 */
export function censorUrlSecrets(text: string, policy: KeyPolicy, censor: string): string {
  let out = text.includes('@') ? text.replace(USER_INFO, (_match, scheme: string) => `${scheme}${censor}@`) : text;
  if (out.includes('=')) {
    out = out.replace(PARAM, (match, separator: string, name: string) =>
      policy.isSecretParam(name) ? `${separator}${name}=${censor}` : match,
    );
  }
  return out;
}
