import { parseArgs, type ParseArgsConfig } from 'node:util';
import { StringDecoder } from 'node:string_decoder';
import { isLevel, type Level } from '../../src/index.js';
import { parseSince } from './time-spec.js';

/** One `shiplog <name>` command: its usage text (`--help`) and what it does with the rest of argv. */
export interface CliCommand {
  /** One line for `shiplog --help`. */
  summary: string;
  /** Full usage text, printed by `--help` and after a usage error. */
  usage: string;
  run(argv: readonly string[]): Promise<void>;
}

/** A usage error: the message, then the command's usage, on stderr; exit code 2. */
export function fail(message: string, usage: string): never {
  process.stderr.write(`shiplog: ${message}\n\n${usage}`);
  process.exit(2);
}

/** Parsed `shiplog <command>` arguments. */
export interface ParsedArgs {
  values: Readonly<Record<string, string | boolean | undefined>>;
  positionals: string[];
}

/** `parseArgs` with `--help`/`-h` handled (usage on stdout, exit 0) and errors as usage errors. */
export function parseCommand(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>, usage: string): ParsedArgs {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: { ...options, help: { type: 'boolean', short: 'h' } } }) as ParsedArgs;
  } catch (error) {
    fail((error as Error).message, usage);
  }
  if (parsed.values.help === true) {
    process.stdout.write(usage);
    process.exit(0);
  }
  return parsed;
}

/** A string option's value (undefined when absent). */
export const stringArg = (args: ParsedArgs, name: string): string | undefined => {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
};

/** `--level` as a level, or a usage error. */
export function levelArg(value: string, usage: string): Level {
  const level = value.toLowerCase();
  if (!isLevel(level)) fail(`--level must be one of trace, debug, info, warn, error, fatal; got "${value}"`, usage);
  return level;
}

/** `--since`/`--until` as epoch ms, or a usage error. */
export function timeArg(name: string, value: string, usage: string): number {
  try {
    return parseSince(value, Date.now());
  } catch (error) {
    fail(`--${name}: ${(error as Error).message}`, usage);
  }
}

/** `--limit`/`-n` as a whole number, or a usage error. */
export function countArg(name: string, value: string, usage: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) fail(`--${name} must be a whole number; got "${value}"`, usage);
  return count;
}

/** Writes a line to stdout, waiting when the pipe is full. */
export function out(line: string): Promise<void> | undefined {
  if (process.stdout.write(`${line}\n`)) return undefined;
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

/** The lines of stdin as they arrive (the last one even without a newline). */
export async function* stdinLines(): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    const lines = (rest + decoder.write(chunk)).split('\n');
    rest = lines.pop() as string;
    yield* lines;
  }
  rest += decoder.end();
  if (rest.length > 0) yield rest;
}
