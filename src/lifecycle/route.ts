/**
 * A delivery route: where a logger's serialized events go and how they are flushed. The plain
 * route is one pipeline per sink; runtimes add behaviour by wrapping a route (Lambda's failure
 * buffer) or by giving each invocation its own (Workers), never by subclassing the logger core.
 */
import type { LogEvent } from '../event.js';
import { Pipeline, type FlushOptions, type FlushResult, type PipelineOptions, type Sink, type SinkStats } from '../pipeline.js';
import type { ResolvedOptions } from '../options.js';
import { sumResults } from '../delivery-counts.js';

/** The delivery side of a logger: what `Logger` calls after it has built an event's line. */
export interface DeliveryRoute {
  /** Takes one event. O(1), never throws, never awaits. */
  write(event: LogEvent): void;
  /** Events buffered or in flight. */
  readonly pending: number;
  /** Delivers what was accepted before the call, by the deadline. Never rejects. */
  flush(options?: FlushOptions): Promise<FlushResult>;
  /** Writes what is buffered through synchronous sinks (process exit); returns how many. */
  flushSync(): number;
  /** Flushes, then drops what is left and closes the sinks. Never rejects. */
  shutdown(options?: FlushOptions): Promise<FlushResult>;
  /** Counters per sink (by unique name). */
  stats(): Record<string, SinkStats>;
  /**
   * Aborts sends in flight at an invocation's deadline; their events stay pending for the next
   * invocation's flush. Returns how many events went back.
   */
  abortInFlight(): number;
  /**
   * Opens a route owned by one invocation (Workers: I/O may not cross requests), or undefined
   * when invocations share this route.
   */
  openInvocation?(): InvocationRoute;
}

/** A route that belongs to one invocation, and the end that delivers its events. */
export interface InvocationRoute {
  readonly route: DeliveryRoute;
  /** Delivers everything by the deadline; what is left goes with the next invocation. Never rejects. */
  end(timeoutMs: number): Promise<FlushResult>;
}

/** Unique names for a logger's sinks: `http`, `http#2`, … */
export function uniqueSinkNames(sinks: readonly Sink[]): string[] {
  const seen = new Map<string, number>();
  return sinks.map((sink) => {
    const count = (seen.get(sink.name) ?? 0) + 1;
    seen.set(sink.name, count);
    return count === 1 ? sink.name : `${sink.name}#${count}`;
  });
}

/** The options of one pipeline per sink, from the logger's options; `intervalMs` wins when given (e.g. 0: no interval timer). */
export function pipelineOptionsFor(options: ResolvedOptions, sinks: readonly Sink[], names: readonly string[] = uniqueSinkNames(sinks), intervalMs?: number): PipelineOptions[] {
  const { batch, retry, maxBufferSize, sendTimeoutMs, onDropped } = options;
  return sinks.map((sink, i) => ({
    sink,
    name: names[i] as string,
    batch: intervalMs === undefined ? batch : { ...batch, intervalMs },
    retry,
    maxBufferSize,
    sendTimeoutMs,
    onDropped,
  }));
}

/** One pipeline per sink, configured from the logger's options; `intervalMs` wins when given (e.g. 0: no interval timer). */
export function pipelinesFor(options: ResolvedOptions, sinks: readonly Sink[], names?: readonly string[], intervalMs?: number): Pipeline[] {
  return pipelineOptionsFor(options, sinks, names, intervalMs).map((pipelineOptions) => new Pipeline(pipelineOptions));
}

/** The plain route: every event to every pipeline. */
export class PipelinesRoute implements DeliveryRoute {
  constructor(readonly pipelines: readonly Pipeline[]) {}

  write(event: LogEvent): void {
    for (const pipeline of this.pipelines) pipeline.push(event);
  }

  get pending(): number {
    let pending = 0;
    for (const pipeline of this.pipelines) pending += pipeline.pending;
    return pending;
  }

  async flush(options: FlushOptions = {}): Promise<FlushResult> {
    return sumResults(await Promise.all(this.pipelines.map((p) => p.flush(options))));
  }

  async shutdown(options?: FlushOptions): Promise<FlushResult> {
    return sumResults(await Promise.all(this.pipelines.map((p) => p.shutdown(options))));
  }

  flushSync(): number {
    let written = 0;
    for (const pipeline of this.pipelines) written += pipeline.flushSync();
    return written;
  }

  stats(): Record<string, SinkStats> {
    const sinks: Record<string, SinkStats> = {};
    for (const pipeline of this.pipelines) sinks[pipeline.name] = pipeline.stats();
    return sinks;
  }

  abortInFlight(): number {
    let aborted = 0;
    for (const pipeline of this.pipelines) aborted += pipeline.abortInFlight();
    return aborted;
  }
}

/** The route of a logger created with these options and sinks. */
export function pipelinesRoute(options: ResolvedOptions, sinks: readonly Sink[]): PipelinesRoute {
  return new PipelinesRoute(pipelinesFor(options, sinks));
}
