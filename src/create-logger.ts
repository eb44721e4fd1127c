import { Logger } from './logger.js';
import { LoggerCore } from './logger-core.js';
import { resolveOptions, type LoggerOptions, type ResolvedOptions } from './options.js';
import type { Sink } from './pipeline.js';
import { consoleSink } from './sinks/console.js';
import { httpSink } from './sinks/http.js';

/** Chooses the sinks of a logger created without `sinks`; each runtime entry has its own. */
export type DefaultSinks = (options: ResolvedOptions) => Sink[];

/** Console, plus an http sink when an endpoint is configured: the universal default. */
export const consoleDefaults: DefaultSinks = (options) =>
  options.endpoint === undefined ? [consoleSink()] : [consoleSink(), httpSink({ url: options.endpoint })];

/** Makes the core of a logger; runtimes pass their own (e.g. Lambda's failure buffer). */
export type MakeCore = (options: ResolvedOptions, sinks: readonly Sink[]) => LoggerCore;

/** @internal Builds a logger with a runtime's default sinks and, optionally, its own core. */
export function createLoggerWith(
  defaults: DefaultSinks,
  options?: LoggerOptions,
  makeCore: MakeCore = (resolved, sinks) => new LoggerCore(resolved, sinks),
): Logger {
  const resolved = resolveOptions(options);
  const sinks = resolved.sinks ?? defaults(resolved);
  // Said once, at creation: every event of this logger will be discarded.
  if (sinks.length === 0) globalThis.console?.warn('shiplog: this logger has no sinks, so every event it gets is discarded (pass `sinks`, or leave the defaults on)');
  const core = makeCore(resolved, sinks);
  return new Logger(core, { ...resolved.fields });
}

/**
 * Creates a logger. Validates options (a bad value throws a TypeError/RangeError naming it)
 * and reads `SHIPLOG_*` overrides now, never at import. Default sink here: console JSON lines.
 */
export function createLogger(options?: LoggerOptions): Logger {
  return createLoggerWith(consoleDefaults, options);
}
