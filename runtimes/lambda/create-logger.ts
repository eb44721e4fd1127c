/**
 * The Lambda logger: console JSON lines on the process's own stdout/stderr (Lambda ships them to
 * CloudWatch), and optionally a per-invocation hold of low-level events that are written only
 * when the invocation fails.
 */
import { Console } from 'node:console';
import process from 'node:process';
import { consoleSink } from '../../src/sinks/console.js';
import { httpSink } from '../../src/sinks/http.js';
import { LEVEL_RANK, type Level, type LogEvent } from '../../src/event.js';
import { createLoggerWith } from '../../src/create-logger.js';
import type { Logger } from '../../src/logger.js';
import { LoggerCore } from '../../src/logger-core.js';
import type { LoggerOptions, ResolvedOptions } from '../../src/options.js';
import type { Sink } from '../../src/pipeline.js';
import { RingBuffer } from '../../src/ring-buffer.js';

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
 * A logger core that holds events below the logger's level during an invocation instead of
 * writing them, and writes them only if the invocation fails. Lambda runs one invocation at a
 * time per sandbox, so one hold per core is enough.
 */
export class FailureBufferCore extends LoggerCore {
  /** The invocation's held events (oldest discarded first when full); null outside an invocation. */
  private held: RingBuffer<LogEvent> | null = null;

  constructor(
    options: ResolvedOptions,
    sinks: readonly Sink[],
    /** Events at or above this rank are written at once, as usual. */
    private readonly writeRank: number,
    private readonly maxHeld: number,
  ) {
    super(options, sinks);
  }

  override write(level: Level, time: number, line: string): void {
    if (LEVEL_RANK[level] >= this.writeRank) return super.write(level, time, line);
    const held = this.held;
    if (held === null) return; // Outside an invocation the logger's own level applies.
    held.push({ level, time, line });
  }

  /** Starts holding for a new invocation (anything still held from a previous one is discarded). */
  hold(): void {
    this.held = new RingBuffer(this.maxHeld);
  }

  /** Ends the hold: writes the held events when `failed`, else discards them. Returns how many were held. */
  release(failed: boolean): number {
    const held = this.held === null ? [] : this.held.take(this.held.length);
    this.held = null;
    if (failed) for (const event of held) super.write(event.level, event.time, event.line);
    return held.length;
  }
}

/** A logger plus, when failure buffering is on, the core that holds events. */
export interface LambdaLogger {
  logger: Logger;
  buffer: FailureBufferCore | undefined;
}

/**
 * Creates the sandbox's logger. With `failureBuffer`, the core runs at the buffer's level and
 * holds the events below the configured level per invocation.
 */
export function createLambdaLogger(options: LoggerOptions, failureBuffer?: FailureBufferOptions): LambdaLogger {
  let buffer: FailureBufferCore | undefined;
  const logger = createLoggerWith(lambdaDefaults, options, (resolved, sinks) => {
    const holdLevel = failureBuffer?.level ?? 'debug';
    if (failureBuffer === undefined || LEVEL_RANK[holdLevel] >= LEVEL_RANK[resolved.level]) return new LoggerCore(resolved, sinks);
    const maxHeld = failureBuffer.maxEvents ?? 200;
    if (!Number.isInteger(maxHeld) || maxHeld < 1) {
      throw new RangeError(`shiplog: option "failureBuffer.maxEvents" must be an integer >= 1; got ${String(maxHeld)}`);
    }
    buffer = new FailureBufferCore({ ...resolved, level: holdLevel }, sinks, LEVEL_RANK[resolved.level], maxHeld);
    return buffer;
  });
  return { logger, buffer };
}
