/**
 * Delivery whose sends only ever run inside the invocation that owns them.
 *
 * Why: Cloudflare Workers forbid I/O objects (a fetch, a timer) from crossing requests, and a
 * send started by one request that this request does not `waitUntil` may be cancelled. So every
 * invocation gets its own pipelines (no interval timers), flushed from that invocation's
 * `waitUntil` with a deadline. Events written outside a live invocation (global scope, or a
 * request logger used after its request ended), and whatever an invocation could not deliver by
 * its deadline (its send in flight is aborted), are parked and ride with the next invocation's
 * flush. `stats()` add every invocation up, so accepted = delivered + dropped + pending holds for
 * the whole logger.
 */
import type { LogEvent } from '../event.js';
import type { ResolvedOptions } from '../options.js';
import { Pipeline, type FlushOptions, type FlushResult, type PipelineOptions, type Sink, type SinkStats } from '../pipeline.js';
import type { SinkContext } from '../sink.js';
import { RingBuffer } from '../ring-buffer.js';
import { swapRemove } from '../util.js';
import { InvocationTotals } from './invocation-totals.js';
import { idleResult, sumResults } from '../delivery-counts.js';
import { pipelineOptionsFor, uniqueSinkNames, type DeliveryRoute, type InvocationRoute } from './route.js';

/**
 * The sink as one invocation's pipeline sees it: every setting of the sink (name, retry,
 * timeoutMs, maxBufferSize, … read through to it, so none is left behind), but no interval timer
 * and no `close` (an invocation must not close the logger's sink). Writes go to the sink itself.
 */
function invocationSink(sink: Sink): Sink {
  const writeSync = sink.writeSync;
  return Object.create(sink, {
    name: { value: sink.name },
    write: { value: (batch: readonly LogEvent[], context: SinkContext) => sink.write(batch, context) },
    writeSync: { value: writeSync === undefined ? undefined : (batch: readonly LogEvent[]) => writeSync.call(sink, batch) },
    batch: { value: { ...sink.batch, intervalMs: 0 } },
    close: { value: undefined },
  }) as Sink;
}

/** What every invocation of one logger shares: options, sinks, parked events (per sink) and totals. */
export class PerInvocationDelivery {
  readonly totals: InvocationTotals;
  /** Per sink: events waiting for the next invocation. */
  readonly parked: RingBuffer<LogEvent>[];
  /**
   * Invocations that have not ended yet (their pipelines count in stats and pending). An array
   * with swap-remove, not a Set: one add and one delete per request made the Set's upkeep the
   * largest single cost of an invocation's end.
   */
  readonly live: InvocationPipelines[] = [];
  /** Finds the invocation the caller runs in (AsyncLocalStorage), where the runtime has it. */
  current: () => InvocationPipelines | undefined = () => undefined;
  /** Per sink: it has synchronous delivery (`writeSync`), so an invocation's end writes it inline. */
  readonly writesInline: readonly boolean[];
  /** Per sink, the options of an invocation's pipeline: made once, not per request. */
  readonly #pipelineOptions: readonly PipelineOptions[];

  constructor(
    readonly options: ResolvedOptions,
    sinks: readonly Sink[],
  ) {
    this.writesInline = sinks.map((sink) => sink.writeSync !== undefined);
    this.totals = new InvocationTotals(uniqueSinkNames(sinks));
    this.#pipelineOptions = pipelineOptionsFor(options, sinks.map(invocationSink), this.totals.names, 0);
    this.parked = sinks.map((sink) => new RingBuffer<LogEvent>(sink.maxBufferSize ?? options.maxBufferSize ?? 1000));
  }

  /** Keeps an event for sink `index`'s next delivery (every sink when omitted); a full park drops its oldest (counted). */
  park(event: LogEvent, index?: number): void {
    this.parked.forEach((ring, i) => {
      if (index !== undefined && index !== i) return;
      const evicted = ring.push(event);
      if (evicted !== undefined) this.totals.dropParked(evicted, i, this.options.onDropped);
    });
    withParkedEvents.add(this);
  }

  get parkedCount(): number {
    let count = 0;
    for (const ring of this.parked) count += ring.length;
    return count;
  }

  /**
   * Sends the parked events from the caller's invocation (which must await the result): how a
   * logger used only at global scope gets its events out with another logger's invocation.
   */
  drainParked(timeoutMs: number): Promise<FlushResult> {
    return new InvocationPipelines(this).end(timeoutMs);
  }

  /** One pipeline per sink for a new invocation. */
  pipelines(): Pipeline[] {
    return this.#pipelineOptions.map((pipelineOptions) => new Pipeline(pipelineOptions));
  }

  stats(): Record<string, SinkStats> {
    return this.totals.stats(
      this.live,
      this.parked.map((ring) => ring.length),
    );
  }
}

/** Loggers holding parked events; any invocation that ends takes them along. */
const withParkedEvents = new Set<PerInvocationDelivery>();

/** Drains every other logger's parked events as part of the ending invocation. */
function drainOthers(ending: PerInvocationDelivery, timeoutMs: number): Promise<FlushResult>[] {
  const drains: Promise<FlushResult>[] = [];
  for (const delivery of withParkedEvents) {
    withParkedEvents.delete(delivery);
    if (delivery !== ending && delivery.parkedCount > 0) drains.push(delivery.drainParked(timeoutMs));
  }
  return drains;
}

/** One invocation's pipelines. Ends once; afterwards its loggers' events are parked. */
export class InvocationPipelines implements InvocationRoute {
  readonly pipelines: Pipeline[];
  readonly route: DeliveryRoute;
  ended = false;
  #result: Promise<FlushResult> | undefined;
  /** Where this invocation is in `delivery.live` while it has not ended. */
  #liveIndex: number;

  constructor(readonly delivery: PerInvocationDelivery) {
    this.pipelines = delivery.pipelines();
    this.route = new PerInvocationRoute(delivery, this);
    this.#liveIndex = delivery.live.push(this) - 1;
  }

  flush(options?: FlushOptions): Promise<FlushResult> {
    return Promise.all(this.pipelines.map((p) => p.flush(options))).then(sumResults);
  }

  /**
   * Takes the parked events along and delivers everything by the deadline. What is still
   * undelivered then (the send in flight aborted) is parked again for the next invocation, and
   * counts as pending in the result. Never rejects; idempotent.
   *
   * A sink with synchronous delivery (`writeSync`: console, memory) is written through it here,
   * when nothing of it is in flight: a synchronous write cannot hang, so it needs no deadline
   * timer and no chain of promises per request (in workerd the flush's deadline timer was the
   * largest part of withShiplog's cost). Everything else is flushed with the deadline.
   */
  end(timeoutMs: number): Promise<FlushResult> {
    if (this.#result !== undefined) return this.#result;
    this.ended = true;
    const delivery = this.delivery;
    const pipelines = this.pipelines;
    const before = pipelines.map((pipeline) => pipeline.stats());
    pipelines.forEach((pipeline, i) => {
      const ring = delivery.parked[i] as RingBuffer<LogEvent>;
      if (ring.length > 0) for (const event of ring.take(ring.length)) pipeline.push(event);
      if (delivery.writesInline[i] === true && (before[i] as SinkStats).inFlight === 0) pipeline.flushSync();
    });
    const others = drainOthers(delivery, timeoutMs);
    let settled = true;
    for (const pipeline of pipelines) if (pipeline.pending > 0) settled = false;
    const close = (timedOut: boolean): FlushResult => {
      try {
        return this.#close(before, timedOut);
      } catch {
        return idleResult(0);
      }
    };
    this.#result = settled
      ? Promise.resolve(close(false))
      : this.flush({ timeoutMs }).then(
          (flushed) => close(flushed.timedOut),
          () => close(false),
        );
    // Other loggers' events ride along but are not part of this invocation's result.
    return others.length === 0 ? this.#result : Promise.all([this.#result, ...others]).then(([own]) => own as FlushResult);
  }

  /**
   * Parks what is left for the next invocation, closes the pipelines and adds their counters to
   * the logger's totals. The result counts what was delivered and dropped since `end` began.
   */
  #close(before: readonly SinkStats[], timedOut: boolean): FlushResult {
    const delivery = this.delivery;
    const result = idleResult(0);
    const ended: SinkStats[] = [];
    try {
      this.pipelines.forEach((pipeline, i) => {
        // An idle pipeline has nothing to hand over and nothing to stop (no interval timer, nothing in flight).
        if (pipeline.pending > 0) {
          for (const event of pipeline.handOver()) {
            delivery.park(event, i);
            result.pending++;
          }
          void pipeline.shutdown({ timeoutMs: 0 });
        }
        const start = before[i] as SinkStats;
        const now = pipeline.stats();
        ended.push(now);
        result.delivered += now.delivered - start.delivered;
        result.dropped += now.dropped - start.dropped;
        result.unconfirmed += now.droppedByReason.unconfirmed - start.droppedByReason.unconfirmed;
        result.handedOff += now.handedOff - start.handedOff;
      });
    } finally {
      delivery.totals.absorb(ended.length === this.pipelines.length ? ended : this.pipelines.map((pipeline) => pipeline.stats()));
      this.#leaveLive();
    }
    result.timedOut = timedOut;
    result.ok = !timedOut && result.dropped === 0 && result.pending === 0;
    return result;
  }

  /** Removes this invocation from `delivery.live` (the last one takes its place). */
  #leaveLive(): void {
    const live = this.delivery.live;
    if (live[this.#liveIndex] !== this) return;
    const moved = swapRemove(live, this.#liveIndex);
    if (moved !== undefined) moved.#liveIndex = this.#liveIndex;
  }
}

/**
 * The route of a logger with per-invocation delivery: each event goes to its invocation (the
 * bound one, else the one the caller runs in), or is parked when there is none.
 */
export class PerInvocationRoute implements DeliveryRoute {
  constructor(
    readonly delivery: PerInvocationDelivery,
    readonly invocation: InvocationPipelines | undefined,
  ) {}

  #target(): InvocationPipelines | undefined {
    const invocation = this.invocation ?? this.delivery.current();
    // The current invocation may belong to another logger (other sinks): then park.
    return invocation === undefined || invocation.ended || invocation.delivery !== this.delivery ? undefined : invocation;
  }

  write(event: LogEvent): void {
    const invocation = this.#target();
    if (invocation === undefined) this.delivery.park(event);
    else for (const pipeline of invocation.pipelines) pipeline.push(event);
  }

  get pending(): number {
    let pending = this.delivery.parkedCount;
    for (const invocation of this.delivery.live) for (const pipeline of invocation.pipelines) pending += pipeline.pending;
    return pending;
  }

  /** Flushes the invocation this logger belongs to; outside one nothing may be sent, so it only reports. */
  async flush(options: FlushOptions = {}): Promise<FlushResult> {
    const invocation = this.#target();
    return invocation !== undefined ? invocation.flush(options) : idleResult(this.pending);
  }

  /** Same as flush: sinks are shared by every invocation and stay open. */
  shutdown(options: FlushOptions = {}): Promise<FlushResult> {
    return this.flush(options);
  }

  flushSync(): number {
    let written = 0;
    for (const pipeline of this.#target()?.pipelines ?? []) written += pipeline.flushSync();
    return written;
  }

  stats(): Record<string, SinkStats> {
    return this.delivery.stats();
  }

  abortInFlight(): number {
    let aborted = 0;
    for (const pipeline of this.#target()?.pipelines ?? []) aborted += pipeline.abortInFlight();
    return aborted;
  }

  /** A new invocation with its own pipelines. */
  openInvocation(): InvocationRoute {
    return new InvocationPipelines(this.delivery);
  }
}

/** The route of a logger whose sends run only inside invocations (Workers). */
export function perInvocationRoute(options: ResolvedOptions, sinks: readonly Sink[]): PerInvocationRoute {
  return new PerInvocationRoute(new PerInvocationDelivery(options, sinks), undefined);
}
