/**
 * The Lambda logger: console JSON lines on the process's own stdout/stderr (Lambda ships them to
 * CloudWatch), and optionally a per-invocation hold of low-level events that are written only
 * when the invocation fails.
 */
import { Console } from 'node:console';
import { randomFillSync } from 'node:crypto';
import process from 'node:process';
import {
  LEVEL_RANK,
  RingBuffer,
  consoleSink,
  createLoggerWith,
  httpSink,
  type DeliveryRoute,
  type FlushOptions,
  type FlushResult,
  type Level,
  type LogEvent,
  type Logger,
  type LoggerOptions,
  type ResolvedOptions,
  type Sink,
  type SinkStats,
  useRandomFill,
} from '../../src/internal.js';

/**
 * A console on the raw process streams. Lambda's Node runtime patches the global `console`
 * to prefix every line with a timestamp, request id and level, which would break JSON lines.
 */
export function rawConsole(): Console {
  raw ??= new Console({ stdout: process.stdout, stderr: process.stderr });
  return raw;
}

let raw: Console | undefined;

/** Console JSON lines on stdout/stderr, plus an http sink when an endpoint is configured. */
export function lambdaDefaults(options: ResolvedOptions): Sink[] {
  const sinks: Sink[] = [consoleSink({ console: rawConsole() })];
  if (options.endpoint !== undefined) sinks.push(httpSink({ url: options.endpoint }));
  return sinks;
}

/** Per-invocation hold of low-level events (see {@link createLambdaLogger}). */
export interface FailureBufferOptions {
  /** Lowest level held. @default 'debug' */
  level?: Level;
  /** Most events held per invocation; older ones are discarded first. @default 200 */
  maxEvents?: number;
}

/**
 * A route wrapper that holds events below the logger's level during an invocation instead of
 * writing them, and writes them only if the invocation fails. Lambda runs one invocation at a
 * time per sandbox, so one hold per route is enough.
 */
export class FailureBufferRoute implements DeliveryRoute {
  /** The invocation's held events (oldest discarded first when full); null outside an invocation. */
  private held: RingBuffer<LogEvent> | null = null;

  constructor(
    private readonly inner: DeliveryRoute,
    /** Events at or above this rank are written at once, as usual. */
    private readonly writeRank: number,
    private readonly maxHeld: number,
  ) {}

  write(event: LogEvent): void {
    if (LEVEL_RANK[event.level] >= this.writeRank) return this.inner.write(event);
    // Outside an invocation the logger's own level applies.
    this.held?.push(event);
  }

  /** Starts holding for a new invocation (anything still held from a previous one is discarded). */
  hold(): void {
    this.held = new RingBuffer(this.maxHeld);
  }

  /** Ends the hold: writes the held events when `failed`, else discards them. Returns how many were held. */
  release(failed: boolean): number {
    const held = this.held === null ? [] : this.held.take(this.held.length);
    this.held = null;
    if (failed) for (const event of held) this.inner.write(event);
    return held.length;
  }

  get pending(): number {
    return this.inner.pending;
  }
  flush(options?: FlushOptions): Promise<FlushResult> {
    return this.inner.flush(options);
  }
  flushSync(): number {
    return this.inner.flushSync();
  }
  shutdown(options?: FlushOptions): Promise<FlushResult> {
    return this.inner.shutdown(options);
  }
  stats(): Record<string, SinkStats> {
    return this.inner.stats();
  }
  abortInFlight(): number {
    return this.inner.abortInFlight();
  }
}

/** A logger plus, when failure buffering is on, the route wrapper that holds events. */
export interface LambdaLogger {
  logger: Logger;
  buffer: FailureBufferRoute | undefined;
}

/**
 * Creates the sandbox's logger. With `failureBuffer`, the logger lets the buffer's level
 * through and the route holds the events below the configured level per invocation.
 */
export function createLambdaLogger(options: LoggerOptions, failureBuffer?: FailureBufferOptions): LambdaLogger {
  let buffer: FailureBufferRoute | undefined;
  useRandomFill(randomFillSync); // cold starts: the global crypto's first use costs ~3 ms
  const logger = createLoggerWith(lambdaDefaults, options, (resolved, _sinks, plain) => {
    const holdLevel = failureBuffer?.level ?? 'debug';
    if (failureBuffer === undefined || LEVEL_RANK[holdLevel] >= LEVEL_RANK[resolved.level]) return plain();
    const maxHeld = failureBuffer.maxEvents ?? 200;
    if (!Number.isInteger(maxHeld) || maxHeld < 1) {
      throw new RangeError(`shiplog: option "failureBuffer.maxEvents" must be an integer >= 1; got ${String(maxHeld)}`);
    }
    buffer = new FailureBufferRoute(plain(), LEVEL_RANK[resolved.level], maxHeld);
    return { route: buffer, level: holdLevel };
  });
  return { logger, buffer };
}
