/** Which browser origins may post to the ingest endpoint. */
export type AllowedOrigins = readonly string[] | '*';

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * Whether a request's `Origin` may use the endpoint: no Origin (not a browser, or a same-origin
 * navigation), the endpoint's own origin, `'*'`, or an exact entry of the list.
 */
export function isOriginAllowed(origin: string | null, requestUrl: string, allowed: AllowedOrigins): boolean {
  if (origin === null) return true;
  if (allowed === '*') return true;
  return origin === originOf(requestUrl) || allowed.includes(origin);
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
