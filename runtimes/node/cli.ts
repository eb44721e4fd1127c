#!/usr/bin/env node
import type { CliCommand } from './cli-io.js';
import { prettyCommand } from './cli-pretty.js';
import { readCommand, tailCommand } from './cli-read.js';
import { runSpoolCommand } from './cli-spool.js';

/** `shiplog <name> …`: one line per command. */
const COMMANDS: Readonly<Record<string, CliCommand>> = {
  read: readCommand,
  tail: tailCommand,
  pretty: prettyCommand,
  spool: {
    summary: 'status, list, retry or clear a durable spool (docs/spool.md)',
    usage: 'Usage: shiplog spool <status|list|retry|clear> <dir> [options]; `shiplog spool --help` for more\n',
    run: async (argv) => runSpoolCommand(argv),
  },
  dev: {
    summary: 'local collector and live viewer (docs/dev.md)',
    usage: 'Usage: shiplog dev [options]; `shiplog dev --help` for more\n',
    run: (argv) => import('./dev/command.js').then((dev) => void dev.runDev(argv)),
  },
};

const USAGE = `Usage: shiplog <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(8)} ${command.summary}`)
  .join('\n')}

\`shiplog <command> --help\` describes a command.
`;

async function main([name, ...argv]: readonly string[]): Promise<void> {
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' && argv[0] !== undefined ? COMMANDS[argv[0]] : undefined;
    (name === undefined ? process.stderr : process.stdout).write(topic?.usage ?? USAGE);
    process.exit(name === undefined ? 2 : 0);
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    process.stderr.write(`shiplog: unknown command "${name}"\n\n${USAGE}`);
    process.exit(2);
  }
  await command.run(argv);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`shiplog: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
