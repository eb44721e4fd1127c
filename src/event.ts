/** Log levels, lowest to highest. */
export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** Numeric rank of each level (pino-compatible numbers). */
export const LEVEL_RANK: Readonly<Record<Level, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

/** Every level in ascending order of severity. */
export const LEVELS: readonly Level[] = Object.keys(LEVEL_RANK) as Level[];

/** OpenTelemetry SeverityNumber for each level (the first number of each OTel range). */
export const SEVERITY_NUMBER: Readonly<Record<Level, number>> = {
  trace: 1,
  debug: 5,
  info: 9,
  warn: 13,
  error: 17,
  fatal: 21,
};

/**
 * One serialized log event as it travels through a pipeline. Immutable: the same object is
 * shared by every sink. `line` is the complete JSON object (no trailing newline); its length
 * is the event's size for byte budgets.
 */
export interface LogEvent {
  readonly level: Level;
  /** Creation time, epoch milliseconds. Pipelines measure `batch.intervalMs` from it. */
  readonly time: number;
  /** The event serialized once, as a single-line JSON object. */
  readonly line: string;
}

/** Whether `value` names a level. */
export function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && Object.hasOwn(LEVEL_RANK, value); // not `in`: "constructor" is no level
}

/** A level shared by a logger and the children that did not set their own. */
export interface LevelCell {
  level: Level;
  rank: number;
}

/** `level` when it names a level; otherwise throws a TypeError listing the levels (a logger's `level` setter). */
export function checkedLevel(level: unknown): Level {
  if (!isLevel(level)) throw new TypeError(`shiplog: level must be one of ${LEVELS.join(', ')}; got ${JSON.stringify(level)}`);
  return level;
}

/** The level cell of a logger with a level of its own; throws a TypeError for a value that is no level. */
export function levelCell(level: unknown): LevelCell {
  const checked = checkedLevel(level);
  return { level: checked, rank: LEVEL_RANK[checked] };
}
