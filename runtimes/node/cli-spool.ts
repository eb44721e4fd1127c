/**
 * `shiplog spool status|list|retry|clear <dir>`: the operator's view of durable delivery. `<dir>`
 * is the spool root (one subdirectory per sink) or one sink's spool directory. Reading needs no
 * lock; retry and clear take the directory's lock and fail (exit 3) while a live process owns it.
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { clearDeadLettersIn, findSpoolDirs, readDeadLetters, retryDeadLettersIn, spoolDirStatus, SpoolBusyError } from './spool/spool-dir.js';

const USAGE = `Usage: shiplog spool <command> <dir> [options]

Inspects and repairs the durable spool of network sinks (<dir>: the spool root, or one sink's directory).

Commands:
  status            pending batches/events on disk, dead letters, bytes, owning process
  list              dead letters, one JSON line each (id, reason, last error, events)
  retry             move dead letters back into the spool: replayed by the owning logger on its next start
  clear             delete dead letters

Options:
  --sink <name>     only this sink's spool (a subdirectory of <dir>)
  --id <id>         only this dead letter (repeatable; retry and clear)
  --events          list: print each dead letter's event lines too
  --json            status: JSON lines instead of a table
  --help, -h        this text

Exit status: 0 done, 2 bad usage, 3 the spool is owned by a running process (retry, clear).
`;

function fail(message: string): never {
  process.stderr.write(`shiplog spool: ${message}\n\n${USAGE}`);
  process.exit(2);
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

/** Runs `shiplog spool …` (argv without the leading `spool`). */
export function runSpoolCommand(argv: readonly string[]): void {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        sink: { type: 'string' },
        id: { type: 'string', multiple: true },
        events: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(USAGE);
    return;
  }
  const [command, root, ...extra] = positionals;
  if (command === undefined) fail('missing command');
  if (!['status', 'list', 'retry', 'clear'].includes(command)) fail(`unknown command "${command}"`);
  if (root === undefined) fail('missing <dir>');
  if (extra.length > 0) fail(`unexpected argument "${extra[0] as string}"`);
  const dirs = findSpoolDirs(root).filter((dir) => values.sink === undefined || basename(dir) === values.sink);
  if (dirs.length === 0) fail(`no spool found at "${root}"${values.sink === undefined ? '' : ` for sink "${values.sink}"`}`);
  const out = (line: string): void => void process.stdout.write(`${line}\n`);

  if (command === 'status') {
    const statuses = dirs.map((dir) => ({ sink: basename(dir), ...spoolDirStatus(dir) }));
    if (values.json === true || process.stdout.isTTY !== true) {
      for (const status of statuses) out(JSON.stringify(status));
      return;
    }
    out('sink\tpending batches\tpending events\tspool bytes\tdead letters\tdead events\towner pid');
    for (const s of statuses) {
      out([s.sink, s.pendingBatches, s.pendingEvents, s.spoolBytes, s.deadLetters, s.deadLetterEvents, s.ownerPid ?? '-'].join('\t'));
    }
    return;
  }
  if (command === 'list') {
    for (const dir of dirs) {
      for (const letter of readDeadLetters(dir)) {
        const { events, spooledAt, deadAt, ...rest } = letter;
        out(JSON.stringify({ sink: basename(dir), ...rest, events: events.length, spooledAt: iso(spooledAt), deadAt: iso(deadAt) }));
        if (values.events === true) for (const event of events) out(event.line);
      }
    }
    return;
  }
  for (const dir of dirs) {
    try {
      const done = command === 'retry' ? retryDeadLettersIn(dir, values.id) : clearDeadLettersIn(dir, values.id);
      const events = done.reduce((n, letter) => n + letter.events.length, 0);
      out(`${basename(dir)}: ${command === 'retry' ? 'moved back into the spool' : 'cleared'} ${done.length} dead letters (${events} events)`);
    } catch (error) {
      if (!(error instanceof SpoolBusyError)) throw error;
      process.stderr.write(`shiplog spool: ${error.message}\n`);
      process.exitCode = 3;
    }
  }
}
