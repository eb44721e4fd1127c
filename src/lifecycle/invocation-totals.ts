/**
 * Counters of a per-invocation route across invocations: each ended invocation's pipeline counters are
 * added here, so `stats()` keeps describing everything the isolate ever accepted.
 */
import type { LogEvent } from '../event.js';
import { DeliveryCounts } from '../delivery-counts.js';
import type { DropReason, OnDropped, Pipeline, SinkStats } from '../pipeline.js';

/** Zero counters for sink `name`: what a new pipeline reports (the one place that shape is written). */
function emptyStats(name: string): SinkStats {
  return new DeliveryCounts().stats(name, 0, 0);
}

function add(into: SinkStats, from: SinkStats): void {
  into.accepted += from.accepted;
  into.delivered += from.delivered;
  into.handedOff += from.handedOff;
  into.dropped += from.dropped;
  for (const reason of Object.keys(from.droppedByReason) as DropReason[]) {
    into.droppedByReason[reason] += from.droppedByReason[reason];
  }
  into.retries += from.retries;
  into.failures += from.failures;
  into.pending += from.pending;
  into.inFlight += from.inFlight;
  if (from.lastError !== undefined && (into.lastError === undefined || from.lastError.at >= into.lastError.at)) {
    into.lastError = { ...from.lastError };
  }
}

/** Running totals per sink (by unique name) of the invocations that ended. */
export class InvocationTotals {
  private readonly sinks: SinkStats[];

  constructor(readonly names: readonly string[]) {
    this.sinks = names.map(emptyStats);
  }

  /** Adds an ended invocation's counters, one per sink (its pending is 0: what was left is parked). */
  absorb(ended: readonly SinkStats[]): void {
    ended.forEach((stats, i) => add(this.sinks[i] as SinkStats, stats));
  }

  /** A parked event pushed out by a newer one: accepted and dropped for sink `index`. */
  dropParked(event: LogEvent, index: number, onDropped: OnDropped | undefined): void {
    const stats = this.sinks[index] as SinkStats;
    stats.accepted++;
    stats.dropped++;
    stats.droppedByReason.overflow++;
    try {
      onDropped?.([event], 'overflow', stats.name);
    } catch {
      // A failing drop handler must not break logging.
    }
  }

  /** Totals + live invocations + parked events (accepted and pending for their sink). */
  stats(live: Iterable<{ pipelines: readonly Pipeline[] }>, parked: readonly number[]): Record<string, SinkStats> {
    const sinks: Record<string, SinkStats> = {};
    const all = this.sinks.map((total, i) => {
      const copy = emptyStats(total.name);
      add(copy, total);
      copy.accepted += parked[i] ?? 0;
      copy.pending += parked[i] ?? 0;
      return copy;
    });
    for (const invocation of live) invocation.pipelines.forEach((pipeline, i) => add(all[i] as SinkStats, pipeline.stats()));
    for (const stats of all) sinks[stats.name] = stats;
    return sinks;
  }
}
