/**
 * The active OpenTelemetry span, read without importing `@opentelemetry/api`: the API keeps its
 * registered globals (context manager, tracer provider, …) on
 * `globalThis[Symbol.for('opentelemetry.js.api.1')]`, and a context stores the active span under
 * `Symbol.for('OpenTelemetry Context Key SPAN')` (see `internal/global-utils` and
 * `trace/context-utils` in @opentelemetry/api 1.x). Read at call time, never at import.
 */

/** Trace context of the active span. */
export interface ActiveSpanContext {
  traceId: string;
  spanId: string;
  /** W3C trace flags (bit 0: sampled). */
  traceFlags: number;
}

const API_KEY = Symbol.for('opentelemetry.js.api.1');
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

interface OtelGlobal {
  context?: { active?(): { getValue?(key: symbol): unknown } | undefined };
}

/**
 * The active span's ids when an OpenTelemetry API 1.x is registered globally with a context
 * manager and a valid span is active; else undefined. Never throws.
 */
export function activeSpanContext(): ActiveSpanContext | undefined {
  try {
    const api = (globalThis as Record<symbol, OtelGlobal | undefined>)[API_KEY];
    const span = api?.context?.active?.()?.getValue?.(SPAN_KEY) as { spanContext?(): unknown } | undefined;
    const ctx = span?.spanContext?.() as Partial<ActiveSpanContext> | undefined;
    if (ctx === undefined) return undefined;
    const { traceId, spanId, traceFlags } = ctx;
    if (typeof traceId !== 'string' || !/^[\da-f]{32}$/.test(traceId) || /^0+$/.test(traceId)) return undefined;
    if (typeof spanId !== 'string' || !/^[\da-f]{16}$/.test(spanId) || /^0+$/.test(spanId)) return undefined;
    return { traceId, spanId, traceFlags: typeof traceFlags === 'number' ? traceFlags & 0xff : 0 };
  } catch {
    return undefined;
  }
}
