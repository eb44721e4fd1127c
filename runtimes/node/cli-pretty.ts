import { formatHuman } from './cli-format.js';
import { fail, levelArg, out, parseCommand, stdinLines, stringArg, type CliCommand } from './cli-io.js';
import { recordMatcher, parseRecord } from './read-log-file.js';

const USAGE = `Usage: <program> | shiplog pretty [options]

Turns shiplog JSON lines on stdin into readable lines on stdout, as they arrive
(\`node app.js | shiplog pretty\`). Lines that are not shiplog events (the program's own
output) are passed through unchanged, in order.

Options:
  --level <level>   hide events below this level (other lines are still shown)
  --grep <text>     show only events whose line contains text (case-insensitive)
  --help, -h        this text

Colours on a terminal unless NO_COLOR is set.
`;

async function pretty(argv: readonly string[]): Promise<void> {
  const args = parseCommand(argv, { level: { type: 'string' }, grep: { type: 'string' } }, USAGE);
  if (args.positionals.length > 0) fail(`unexpected argument "${args.positionals[0] as string}" (pretty reads stdin)`, USAGE);
  const level = stringArg(args, 'level');
  const grep = stringArg(args, 'grep')?.toLowerCase();
  const match = recordMatcher({
    ...(level === undefined ? {} : { level: levelArg(level, USAGE) }),
    ...(grep === undefined ? {} : { filter: (_record, line) => line.toLowerCase().includes(grep) }),
  });
  process.stdout.on('error', () => process.exit(0)); // `| head` closed the pipe
  for await (const line of stdinLines()) {
    if (parseRecord(line) === undefined) {
      await out(line);
      continue;
    }
    const record = match(line);
    if (record !== undefined) await out(formatHuman(record, 'auto'));
  }
}

/** `shiplog pretty`: a filter that makes JSON lines readable in a pipe. */
export const prettyCommand: CliCommand = { summary: 'make JSON lines on stdin readable (node app.js | shiplog pretty)', usage: USAGE, run: pretty };
