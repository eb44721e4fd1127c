import { Logger } from './logger.js';
import { LoggerCore } from './logger-core.js';
import { pipelinesRoute, type DeliveryRoute } from './lifecycle/route.js';
import type { Level } from './event.js';
import { resolveOptions, type Fields, type LoggerOptions, type ResolvedOptions } from './options.js';
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

/** How {@link assembleLogger} builds a logger beyond options and sinks. */
export interface LoggerAssembly<L extends Logger> {
  /** Wraps or replaces the plain route. @default the plain route */
  makeRoute?: MakeRoute;
  /** The fields bound to the logger. @default options.fields */
  fields?: Fields;
  /** The Logger class to make (a runtime's subclass, e.g. the browser's). @default Logger */
  LoggerClass?: new (core: LoggerCore, bindings: Fields) => L;
}

/**
 * The one place a logger is put together from resolved options and sinks: its delivery route,
 * its core and the Logger. Returns the route too, for runtimes that drive it (the browser's
 * page lifecycle evacuates its pipelines).
 */
export function assembleLogger<L extends Logger = Logger>(
  resolved: ResolvedOptions,
  sinks: readonly Sink[],
  assembly: LoggerAssembly<L> = {},
): { logger: L; route: DeliveryRoute } {
  const plain = (): DeliveryRoute => pipelinesRoute(resolved, sinks);
  const made = assembly.makeRoute === undefined ? plain() : assembly.makeRoute(resolved, sinks, plain);
  const route = 'route' in made ? made.route : made;
  const core = new LoggerCore('route' in made ? { ...resolved, level: made.level } : resolved, route);
  const Class = assembly.LoggerClass ?? (Logger as unknown as new (core: LoggerCore, bindings: Fields) => L);
  return { logger: new Class(core, { ...(assembly.fields ?? resolved.fields) }), route };
}

/** Resolves the options and picks the sinks (the runtime's defaults unless `sinks` is given). */
function resolvedWithSinks(defaults: DefaultSinks, options: LoggerOptions | undefined): { resolved: ResolvedOptions; sinks: readonly Sink[] } {
  const resolved = resolveOptions(options);
  const sinks = resolved.sinks ?? defaults(resolved);
  // Said once, at creation: every event of this logger will be discarded.
  if (sinks.length === 0) globalThis.console?.warn('shiplog: this logger has no sinks, so every event it gets is discarded (pass `sinks`, or leave the defaults on)');
  return { resolved, sinks };
}

/**
 * Builds a logger with a runtime's default sinks and, optionally, a wrapper around its delivery
 * route: what every runtime entry's `createLogger` calls.
 */
export function createLoggerWith(defaults: DefaultSinks, options?: LoggerOptions, makeRoute?: MakeRoute): Logger {
  const { resolved, sinks } = resolvedWithSinks(defaults, options);
  return assembleLogger(resolved, sinks, makeRoute === undefined ? {} : { makeRoute }).logger;
}

/**
 * Builds a logger whose delivery route replaces the plain one entirely (Workers: per-invocation
 * delivery). Same as {@link createLoggerWith} with a `makeRoute` that never calls `plain`, but it
 * does not reference the plain route, so a bundle that only uses this one leaves it out.
 */
export function createLoggerOnRoute(
  defaults: DefaultSinks,
  options: LoggerOptions | undefined,
  makeRoute: (options: ResolvedOptions, sinks: readonly Sink[]) => DeliveryRoute,
): Logger {
  const { resolved, sinks } = resolvedWithSinks(defaults, options);
  return new Logger(new LoggerCore(resolved, makeRoute(resolved, sinks)), { ...resolved.fields });
}

/**
 * Creates a logger. Validates options (a bad value throws a TypeError/RangeError naming it)
 * and reads `SHIPLOG_*` overrides now, never at import. Default sink here: console JSON lines.
 */
export function createLogger(options?: LoggerOptions): Logger {
  return createLoggerWith(consoleDefaults, options);
}
