import type { RetryOptions } from './backoff.js';
import { isLevel, LEVELS, type Level } from './event.js';
import type { BatchOptions } from './pipeline.js';

/** Where `SHIPLOG_*` overrides are read from: `process.env`, a Workers `env`, or any record. */
export type EnvironmentVariables = Readonly<Record<string, unknown>>;

/** The process environment when the runtime has one; read when called, never at import. */
export function processEnv(): EnvironmentVariables {
  const env = (globalThis as { process?: { env?: EnvironmentVariables } }).process?.env;
  return env ?? {};
}

function fail(name: string, expected: string, got: unknown): never {
  const shown = typeof got === 'string' ? JSON.stringify(got) : String(got);
  throw new (typeof got === 'number' || typeof got === 'string' ? RangeError : TypeError)(
    `shiplog: option "${name}" must be ${expected}; got ${shown}`,
  );
}

/** Validates an optional positive (or non-negative) integer option. */
export function checkInteger(name: string, value: unknown, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    fail(name, `an integer >= ${min}`, value);
  }
  return value;
}

/** Validates an optional non-negative finite number of milliseconds. */
export function checkMs(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) fail(name, 'a number of milliseconds >= 0', value);
  return value;
}

/** Validates an optional level name. */
export function checkLevel(name: string, value: unknown): Level | undefined {
  if (value === undefined) return undefined;
  if (!isLevel(value)) fail(name, `one of ${LEVELS.join(', ')}`, value);
  return value;
}

/** Validates an optional rate in [0, 1]. */
export function checkRate(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) fail(name, 'a number from 0 to 1', value);
  return value;
}

export function checkBatch(prefix: string, batch: BatchOptions | undefined): void {
  if (batch === undefined) return;
  if (typeof batch !== 'object' || batch === null) fail(prefix, 'an object', batch);
  checkInteger(`${prefix}.size`, batch.size);
  checkInteger(`${prefix}.maxBytes`, batch.maxBytes);
  checkMs(`${prefix}.intervalMs`, batch.intervalMs);
}

export function checkRetry(prefix: string, retry: RetryOptions | undefined): void {
  if (retry === undefined) return;
  if (typeof retry !== 'object' || retry === null) fail(prefix, 'an object', retry);
  checkInteger(`${prefix}.maxAttempts`, retry.maxAttempts);
  checkMs(`${prefix}.initialDelayMs`, retry.initialDelayMs);
  checkMs(`${prefix}.maxDelayMs`, retry.maxDelayMs);
  if (retry.backoff !== undefined && !['exponential', 'linear', 'fixed'].includes(retry.backoff)) {
    fail(`${prefix}.backoff`, 'exponential, linear or fixed', retry.backoff);
  }
  if (retry.jitter !== undefined && typeof retry.jitter !== 'boolean') fail(`${prefix}.jitter`, 'a boolean', retry.jitter);
}

/** A `SHIPLOG_*` variable as a trimmed non-empty string, or undefined. */
export function envString(vars: EnvironmentVariables, name: string): string | undefined {
  const value = vars[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A `SHIPLOG_*` variable parsed as an integer; a malformed value throws a RangeError naming it. */
export function envInteger(vars: EnvironmentVariables, name: string, min: number): number | undefined {
  const text = envString(vars, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  return checkInteger(name, Number.isInteger(value) ? value : text, min);
}
