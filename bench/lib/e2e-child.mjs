// One end-to-end run, in a fresh process: `node e2e-child.mjs <logger> <file> <events>`.
// Logs <events> `info('order created', 5 fields)` events to an NDJSON file in chunks of 1000
// with a turn of the event loop between chunks (as a server does between requests), then
// flushes and closes the file. Prints `{ ms }` (first call to file closed).
// The parent counts and parses the lines; this process only reports the time.
import { pathToFileURL } from 'node:url';
import { benchDist } from './dist-snapshot.mjs';
import { FIELDS, MESSAGE, nextTurn, pinoFileLogger } from './workload.mjs';

const CHUNK = 1000;
const [name, file, eventsArg] = process.argv.slice(2);
const events = Number(eventsArg);

/** Per logger: build → { log(), finish(): Promise<void> }. */
const setups = {
  async shiplog() {
    const node = await import(pathToFileURL(`${benchDist()}/node.js`).href);
    const { basename, dirname } = await import('node:path');
    // The Node entry's own createLogger with its default file sink; rotation is pushed past the
    // run's size so the whole run lands in one file, like the other loggers' files.
    const log = node.createLogger({ console: false, // production: no development console lines
     
      file: { dir: dirname(file), baseName: basename(file, '.ndjson'), maxSizeBytes: 2 ** 30 },
      vars: {},
    });
    return {
      log: () => log.info(MESSAGE, FIELDS),
      async finish() {
        const flushed = await log.flush({ timeoutMs: 60_000 });
        await log.shutdown({ timeoutMs: 60_000 });
        if (!flushed.ok) throw new Error(`flush not ok: ${JSON.stringify(flushed)}`);
      },
    };
  },

  pino: () => pinoFileLogger(file),

  async logtape() {
    const { configure, dispose, getLogger, jsonLinesFormatter } = await import('@logtape/logtape');
    const { getFileSink } = await import('@logtape/file');
    await configure({
      reset: true,
      sinks: { file: getFileSink(file, { formatter: jsonLinesFormatter, nonBlocking: true }) },
      loggers: [
        { category: ['bench'], lowestLevel: 'info', sinks: ['file'] },
        { category: ['logtape', 'meta'], lowestLevel: 'warning', sinks: [] },
      ],
    });
    const log = getLogger(['bench']);
    return { log: () => log.info(MESSAGE, FIELDS), finish: () => dispose() };
  },

  async evlog() {
    const { initLogger, log } = await import('evlog');
    const { createFsDrain } = await import('evlog/fs');
    const { createDrainPipeline } = await import('evlog/pipeline');
    const { dirname } = await import('node:path');
    // evlog's fs drain names files by date in a directory; the parent finds the one file there.
    const drain = createDrainPipeline({ maxBufferSize: events })(createFsDrain({ dir: dirname(file), pretty: false }));
    initLogger({ env: { service: 'bench', environment: 'production' }, silent: true, pretty: false, redact: false, drain });
    return { log: () => log.info({ message: MESSAGE, ...FIELDS }), finish: () => drain.flush() };
  },

  async winston() {
    const { default: w } = await import('winston');
    const transport = new w.transports.File({ filename: file });
    const log = w.createLogger({
      level: 'info',
      format: w.format.combine(w.format.timestamp(), w.format.json()),
      transports: [transport],
    });
    return {
      log: () => log.info(MESSAGE, FIELDS),
      // The file transport's 'finish' comes after the logger ended and its stream flushed.
      finish: () =>
        new Promise((resolve) => {
          transport.once('finish', resolve);
          log.end();
        }),
    };
  },
};

const setup = await setups[name]();
const start = process.hrtime.bigint();
for (let done = 0; done < events; done += CHUNK) {
  for (let i = 0; i < CHUNK && done + i < events; i++) setup.log();
  await nextTurn();
}
await setup.finish();
const ms = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write(JSON.stringify({ ms }));
