/**
 * Reads the HTTP request out of the Lambda event shapes that carry one (API Gateway REST = v1,
 * HTTP API = v2, ALB, Function URL) and the status out of a handler's result.
 */

/** Which kind of trigger an event came from. */
export type EventSource = 'api-gateway-rest' | 'api-gateway-http' | 'alb' | 'function-url';

/** The request line and client facts of an HTTP-triggered invocation. */
export interface HttpEventInfo {
  source: EventSource;
  method: string;
  /** Path without the query string. */
  path: string;
  /** Header names lower-cased; multi-value headers keep their first value. */
  headers: Record<string, string>;
  /** Route template (`/users/{id}`, `GET /users/{id}`) where the trigger has one. */
  route?: string;
  ip?: string;
  userAgent?: string;
  /** API Gateway's own request id (not the Lambda request id). */
  gatewayRequestId?: string;
}

type Loose = Record<string, unknown>;

const asObject = (value: unknown): Loose | undefined =>
  typeof value === 'object' && value !== null ? (value as Loose) : undefined;
const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function lowerCaseHeaders(single: unknown, multi: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(asObject(multi) ?? {})) {
    const first = Array.isArray(values) ? asString(values[0]) : undefined;
    if (first !== undefined) headers[name.toLowerCase()] = first;
  }
  for (const [name, value] of Object.entries(asObject(single) ?? {})) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  return headers;
}

function withoutQuery(path: string): string {
  return path.split('?')[0] || '/';
}

/** v2 payload (HTTP API and Function URL): `requestContext.http` holds the request line. */
function fromV2(event: Loose, context: Loose, http: Loose): HttpEventInfo {
  const domain = asString(context.domainName) ?? '';
  const info: HttpEventInfo = {
    source: domain.includes('.lambda-url.') ? 'function-url' : 'api-gateway-http',
    method: (asString(http.method) ?? 'GET').toUpperCase(),
    path: withoutQuery(asString(http.path) ?? asString(event.rawPath) ?? '/'),
    headers: lowerCaseHeaders(event.headers, undefined),
  };
  const route = asString(event.routeKey);
  if (route !== undefined && route !== '$default') info.route = route;
  const ip = asString(http.sourceIp);
  if (ip !== undefined) info.ip = ip;
  const userAgent = asString(http.userAgent);
  if (userAgent !== undefined) info.userAgent = userAgent;
  const gatewayRequestId = asString(context.requestId);
  if (gatewayRequestId !== undefined && info.source === 'api-gateway-http') info.gatewayRequestId = gatewayRequestId;
  return info;
}

/** v1 payload (REST API, HTTP API 1.0) and ALB: `httpMethod` and `path` at the top level. */
function fromV1(event: Loose, context: Loose | undefined): HttpEventInfo {
  const headers = lowerCaseHeaders(event.headers, event.multiValueHeaders);
  const alb = asObject(context?.elb) !== undefined;
  const info: HttpEventInfo = {
    source: alb ? 'alb' : 'api-gateway-rest',
    method: (asString(event.httpMethod) ?? 'GET').toUpperCase(),
    path: withoutQuery(asString(event.path) ?? '/'),
    headers,
  };
  const route = asString(context?.resourcePath) ?? asString(event.resource);
  if (route !== undefined) info.route = route;
  const ip = asString(asObject(context?.identity)?.sourceIp) ?? headers['x-forwarded-for']?.split(',')[0]?.trim();
  if (ip !== undefined && ip !== '') info.ip = ip;
  const userAgent = headers['user-agent'];
  if (userAgent !== undefined) info.userAgent = userAgent;
  const gatewayRequestId = alb ? undefined : asString(context?.requestId);
  if (gatewayRequestId !== undefined) info.gatewayRequestId = gatewayRequestId;
  return info;
}

/** The HTTP request an event carries, or undefined for other triggers (SQS, S3, direct invoke…). Never throws. */
export function httpEventInfo(event: unknown): HttpEventInfo | undefined {
  try {
    const e = asObject(event);
    if (e === undefined) return undefined;
    const context = asObject(e.requestContext);
    const http = asObject(context?.http);
    if (e.version === '2.0' && context !== undefined && http !== undefined) return fromV2(e, context, http);
    if (typeof e.httpMethod === 'string') return fromV1(e, context);
    return undefined;
  } catch {
    return undefined;
  }
}

/**
 * The HTTP status of a handler's result: its `statusCode`; for the v2 payload a result
 * without one means 200 (API Gateway and Function URLs answer it as JSON). Undefined for
 * non-HTTP invocations, and for a result whose `statusCode` cannot be read. Never throws.
 */
export function resultStatus(source: EventSource | undefined, result: unknown): number | undefined {
  if (source === undefined) return undefined;
  let status: unknown;
  try {
    status = (result as { statusCode?: unknown } | null | undefined)?.statusCode;
  } catch {
    return undefined;
  }
  if (typeof status === 'number') return status;
  if (typeof status === 'string' && /^\d{3}$/.test(status)) return Number(status);
  return source === 'api-gateway-http' || source === 'function-url' ? 200 : undefined;
}
