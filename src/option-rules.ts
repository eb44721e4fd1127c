/**
 * What an option value must be, and the error that says it is not. Shared by the development
 * checks of every option (option-checks.ts) and by the `SHIPLOG_*` overrides, which are checked
 * in every build: a variable comes from the deployment, not from code a developer ran first.
 */
import { isLevel, LEVELS } from './event.js';
import { isMilliseconds } from './util.js';

/** [test, what it must be, the typeof a value that is merely out of range]. */
export type Rule = readonly [test: (value: unknown) => boolean, expected: string, type?: string];

export const INT1: Rule = [(v) => Number.isInteger(v) && (v as number) >= 1, 'an integer >= 1', 'number'];
// Finite: a timer cannot be armed for Infinity, so a timeout or delay of Infinity would never fire.
export const MS: Rule = [isMilliseconds, 'a finite number of milliseconds >= 0', 'number'];
export const STRING: Rule = [(v) => typeof v === 'string', 'a string'];
export const LEVEL: Rule = [isLevel, `one of ${LEVELS.join(', ')}`, 'string'];

/** Throws a TypeError (wrong type) or RangeError (right type, bad value) naming the option. */
export function invalid(name: string, expected: string, got: unknown, type?: string): never {
  const shown = typeof got === 'string' ? JSON.stringify(got) : String(got);
  const Type = typeof got === type ? RangeError : TypeError;
  throw new Type(`shiplog: option "${name}" must be ${expected}; got ${shown}`);
}
