import { Logger } from './logger.js';
import { LoggerCore } from './logger-core.js';
import { pipelinesRoute, type DeliveryRoute } from './lifecycle/route.js';
import type { Level } from './event.js';
import { resolveOptions, type LoggerOptions, type ResolvedOptions } from './options.js';
import type { Sink } from './pipeline.js';
import { consoleSink } from './sinks/console.js';
import { httpSink } from './sinks/http.js';

/** Chooses the sinks of a logger created without `sinks`; each runtime entry has its own. */
export type DefaultSinks = (options: ResolvedOptions) => Sink[];

/** Console, plus an http sink when an endpoint is configured: the universal default. */
export const consoleDefaults: DefaultSinks = (options) =>
  options.endpoint === undefined ? [consoleSink()] : [consoleSink(), httpSink({ url: options.endpoint })];

/**
 * Wraps (or replaces) the plain delivery route of a new logger: how runtimes add behaviour,
 * e.g. Lambda's failure buffer. `level`, when given, is the lowest level the logger lets through
 * to the route (a failure buffer holds levels below the configured one).
 */
export type MakeRoute = (
  options: ResolvedOptions,
  sinks: readonly Sink[],
  /** The plain route (one pipeline per sink), made when called. */
  plain: () => DeliveryRoute,
) => DeliveryRoute | { route: DeliveryRoute; level: Level };

/**
 * Builds a logger with a runtime's default sinks and, optionally, a wrapper around its delivery
 * route: the one factory every runtime entry uses.
 */
export function createLoggerWith(defaults: DefaultSinks, options?: LoggerOptions, makeRoute?: MakeRoute): Logger {
  const resolved = resolveOptions(options);
  const sinks = resolved.sinks ?? defaults(resolved);
  const plain = (): DeliveryRoute => pipelinesRoute(resolved, sinks);
  const made = makeRoute === undefined ? plain() : makeRoute(resolved, sinks, plain);
  const core =
    'route' in made ? new LoggerCore({ ...resolved, level: made.level }, made.route) : new LoggerCore(resolved, made);
  return new Logger(core, { ...resolved.fields });
}

/**
 * Creates a logger. Validates options (a bad value throws a TypeError/RangeError naming it)
 * and reads `SHIPLOG_*` overrides now, never at import. Default sink here: console JSON lines.
 */
export function createLogger(options?: LoggerOptions): Logger {
  return createLoggerWith(consoleDefaults, options);
}
