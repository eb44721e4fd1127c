/**
 * Delivery health for the viewer's panel: what the collector itself received per endpoint
 * (requests, events stored, duplicates dropped, refusals by reason) and what senders report
 * about their own delivery (`POST /v1/stats` with a logger's `stats()`: accepted, delivered,
 * dropped by reason, retries, pending per sink). Bounded: at most MAX_SENDERS senders are kept.
 */

/** One sink's counters as a sender reported them (numbers only; anything else is left out). */
export interface SinkHealth {
  name: string;
  accepted: number;
  delivered: number;
  dropped: number;
  droppedByReason: Record<string, number>;
  retries: number;
  pending: number;
  lastError?: string;
}

/** The latest report of one sender (service + runtime + instance). */
export interface SenderHealth {
  service: string;
  runtime: string;
  instance: string;
  reportedAt: string;
  sinks: SinkHealth[];
}

/** Counters of one receiving endpoint. */
export interface EndpointHealth {
  requests: number;
  stored: number;
  duplicates: number;
  invalid: number;
  /** Refused requests by reason (`bad-json`, `body-too-large`, `bad-token`, …). */
  refused: Record<string, number>;
}

const MAX_SENDERS = 256;
const MAX_SINKS = 16;
const MAX_REASONS = 16;
const MAX_TEXT = 200;

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0);
const text = (value: unknown, fallback: string): string => (typeof value === 'string' && value !== '' ? value.slice(0, MAX_TEXT) : fallback);

function sinkHealth(name: string, raw: Record<string, unknown>): SinkHealth {
  const reasons: Record<string, number> = {};
  const byReason = raw.droppedByReason;
  if (typeof byReason === 'object' && byReason !== null) {
    for (const [reason, n] of Object.entries(byReason).slice(0, MAX_REASONS)) reasons[reason.slice(0, 64)] = count(n);
  }
  const health: SinkHealth = {
    name: text(raw.name, name),
    accepted: count(raw.accepted),
    delivered: count(raw.delivered),
    dropped: count(raw.dropped),
    droppedByReason: reasons,
    retries: count(raw.retries),
    pending: count(raw.pending),
  };
  const lastError = raw.lastError;
  if (lastError !== undefined && lastError !== null) health.lastError = text(typeof lastError === 'string' ? lastError : (lastError as { message?: unknown }).message, 'error');
  return health;
}

/** Collector and sender counters. */
export class Health {
  readonly endpoints: Record<string, EndpointHealth> = {};
  private readonly senders = new Map<string, SenderHealth>();

  endpoint(name: string): EndpointHealth {
    this.endpoints[name] ??= { requests: 0, stored: 0, duplicates: 0, invalid: 0, refused: {} };
    return this.endpoints[name];
  }

  refuse(name: string, reason: string): void {
    const refused = this.endpoint(name).refused;
    refused[reason] = (refused[reason] ?? 0) + 1;
  }

  /**
   * Records a sender's report: `{ service, runtime?, instance?, stats }` where `stats` is a
   * logger's `stats()` (`{ sinks: { name: counters } }`). Returns false for a body of another shape.
   */
  report(body: unknown, runtimeHint: string | undefined): boolean {
    if (typeof body !== 'object' || body === null) return false;
    const report = body as Record<string, unknown>;
    const stats = report.stats as { sinks?: unknown } | undefined;
    if (typeof stats?.sinks !== 'object' || stats.sinks === null) return false;
    const sender: SenderHealth = {
      service: text(report.service, 'unknown'),
      runtime: text(report.runtime, runtimeHint ?? 'unknown'),
      instance: text(report.instance, ''),
      reportedAt: new Date().toISOString(),
      sinks: Object.entries(stats.sinks as Record<string, unknown>)
        .slice(0, MAX_SINKS)
        .flatMap(([name, raw]) => (typeof raw === 'object' && raw !== null ? [sinkHealth(name, raw as Record<string, unknown>)] : [])),
    };
    const key = `${sender.service}\u0000${sender.runtime}\u0000${sender.instance}`;
    this.senders.delete(key);
    this.senders.set(key, sender);
    if (this.senders.size > MAX_SENDERS) this.senders.delete(this.senders.keys().next().value as string);
    return true;
  }

  snapshot(): { endpoints: Record<string, EndpointHealth>; senders: SenderHealth[] } {
    return { endpoints: structuredClone(this.endpoints), senders: [...this.senders.values()].reverse() };
  }
}
