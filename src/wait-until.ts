/**
 * Finds the platform's `waitUntil`: work handed to it may finish after the response is sent.
 * Edge-safe: reads globals only when called, never at import.
 */

/** Keeps the function alive until `promise` settles (Vercel, Next.js `after`, Workers). */
export type WaitUntil = (promise: Promise<unknown>) => void;

/** The shape Vercel and Next.js publish on `globalThis` under their request-context symbols. */
interface RequestContextHolder {
  get?(): { waitUntil?: unknown } | undefined;
}

/**
 * Symbols under which platforms expose the current request's context: Next.js (`next start`,
 * used by `after()`) first, then Vercel (read by `@vercel/functions`' `waitUntil`).
 */
const REQUEST_CONTEXT_SYMBOLS = [Symbol.for('@next/request-context'), Symbol.for('@vercel/request-context')];

function fromHolder(holder: unknown): WaitUntil | undefined {
  try {
    const value = (holder as RequestContextHolder | undefined)?.get?.();
    const waitUntil = value?.waitUntil;
    return typeof waitUntil === 'function' ? (promise) => (waitUntil as WaitUntil).call(value, promise) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `waitUntil` for the current request: the handler context's own `waitUntil` (a Vercel Edge
 * or Next.js middleware `context`/`event`), else the request context Next.js or Vercel put on
 * `globalThis`. Undefined when there is none: the caller must then await its work itself.
 */
export function findWaitUntil(context?: unknown): WaitUntil | undefined {
  try {
    const own = (context as { waitUntil?: unknown } | null | undefined)?.waitUntil;
    if (typeof own === 'function') return (promise) => (own as WaitUntil).call(context, promise);
  } catch {
    // A hostile getter on the context is not a reason to fail the request.
  }
  for (const symbol of REQUEST_CONTEXT_SYMBOLS) {
    const found = fromHolder((globalThis as Record<symbol, unknown>)[symbol]);
    if (found !== undefined) return found;
  }
  return undefined;
}
