/** Which browser origins may post to the ingest endpoint. */
export type AllowedOrigins = readonly string[] | '*';

/**
 * Whether a request's `Origin` may use the endpoint: no Origin (not a browser, or a same-origin
 * navigation), `'*'`, or an exact entry of the endpoint's configured own origins or the allowed
 * list. The request's URL is never used: its host comes from the Host header, which a
 * DNS-rebinding page controls (`Origin` and `Host` both `evil.example`).
 */
export function isOriginAllowed(origin: string | null, ownOrigins: readonly string[], allowed: AllowedOrigins): boolean {
  if (origin === null) return true;
  if (allowed === '*') return true;
  return ownOrigins.includes(origin) || allowed.includes(origin);
}

/** Headers that let an allowed cross-origin page send (and read the status of) a batch. */
export function corsHeaders(origin: string | null, preflight: boolean): Record<string, string> {
  if (origin === null) return {};
  const headers: Record<string, string> = { 'access-control-allow-origin': origin, vary: 'Origin' };
  if (preflight) {
    headers['access-control-allow-methods'] = 'POST, OPTIONS';
    headers['access-control-allow-headers'] = 'content-type, authorization, x-shiplog-key, idempotency-key';
    headers['access-control-max-age'] = '86400';
  }
  return headers;
}
