// Part (b) of the core benchmark: events logged and flushed to an NDJSON file, per second.
// Each logger runs in a fresh child process (bench/lib/e2e-child.mjs) writing into its own
// temp directory; this side then counts the file's lines and parses the first and last one,
// so a logger that lost or mangled events fails the run instead of looking fast.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './stats.mjs';
import { countLines, MESSAGE } from './workload.mjs';

const CHILD = fileURLToPath(new URL('./e2e-child.mjs', import.meta.url));

/** What each logger writes to, described for the table. */
export const E2E_LOGGERS = [
  { name: 'pino', destination: 'pino.destination({ sync: false }) (sonic-boom)' },
  { name: 'shiplog', destination: 'dist/node.js `createLogger` default file sink (batches of 1000, rotation off)' },
  { name: 'logtape', destination: '@logtape/file getFileSink({ nonBlocking: true }), jsonLinesFormatter' },
  { name: 'evlog', destination: 'evlog/fs createFsDrain behind evlog/pipeline (batches of 50)' },
  { name: 'winston', destination: 'winston.transports.File' },
];

function runChild(name, file, events) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CHILD, name, file, String(events)], { maxBuffer: 1 << 20, timeout: 300_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${name}: ${error.message}\n${stderr.slice(-2000)}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

/** Reads every file the logger wrote in its directory (evlog picks its own file name). */
function readOutput(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson') || f.endsWith('.jsonl'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('');
}

function verify(name, text, events) {
  const lines = countLines(text);
  if (lines !== events) throw new Error(`${name}: expected ${events} lines in the file, found ${lines}`);
  const all = text.trimEnd().split('\n');
  for (const line of [all[0], all[all.length - 1]]) {
    const event = JSON.parse(line);
    const message = event.msg ?? event.message;
    if (message !== MESSAGE || event.orderId === undefined && event.properties?.orderId === undefined) {
      throw new Error(`${name}: unexpected line ${line.slice(0, 200)}`);
    }
  }
  return lines;
}

/**
 * Runs part (b): { rows: [{ name, destination, eventsPerSec, ms, lines }] }.
 * Runs are interleaved (every logger once, then again) so background load hits all alike.
 */
export async function runEndToEnd({ events = 200_000, runs = 5, progress = () => {} } = {}) {
  const state = E2E_LOGGERS.map((logger) => ({ ...logger, times: [], lines: 0 }));
  for (let run = 1; run <= runs; run++) {
    for (const logger of state) {
      progress(`end to end run ${run}/${runs}: ${logger.name}`);
      const dir = mkdtempSync(join(tmpdir(), `shiplog-bench-${logger.name}-`));
      try {
        const result = await runChild(logger.name, join(dir, 'log.ndjson'), events);
        logger.lines = verify(logger.name, readOutput(dir), events);
        logger.times.push(result.ms);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const rows = state.map(({ name, destination, times, lines }) => {
    const ms = median(times);
    return { name, destination, ms, eventsPerSec: events / (ms / 1000), lines };
  });
  return { events, runs, rows };
}
