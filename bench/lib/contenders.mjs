// Loggers set up for the hot-path benchmark: each turns every `info('order created', 5 fields)`
// into one JSON line and throws the line away, and counts the lines it produced so the
// benchmark can check that no logger skipped work (every call must end as a line).
//
// Each contender: { name, note, create() → { call(), lines(), settle(), activate?() } }.
// `activate` re-applies global configuration (evlog keeps its settings in module state).
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { benchDist } from './dist-snapshot.mjs';
import { FIELDS, MESSAGE } from './workload.mjs';

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'];

let consoleCapture;

/**
 * Replaces console methods with a line counter (once per process; evlog writes its JSON lines
 * through console). Progress notes of the benchmark go to process.stderr, not console.
 */
export function captureConsole() {
  if (consoleCapture !== undefined) return consoleCapture;
  const saved = Object.fromEntries(CONSOLE_METHODS.map((m) => [m, console[m]]));
  const counter = { lines: 0 };
  for (const m of CONSOLE_METHODS) {
    console[m] = (line) => {
      if (typeof line === 'string') counter.lines++;
    };
  }
  consoleCapture = { counter, restore: () => Object.assign(console, saved) };
  return consoleCapture;
}

const shiplog = {
  name: 'shiplog',
  note: "dist/index.js, sink `{ name: 'null', write(){}, writeSync(){} }` (a full buffer is written through writeSync, never dropped)",
  async create() {
    const { createLogger } = await import(pathToFileURL(`${benchDist()}/index.js`).href);
    let lines = 0;
    const sink = {
      name: 'null',
      write(batch) {
        lines += batch.length;
      },
      writeSync(batch) {
        lines += batch.length;
      },
    };
    const log = createLogger({ sinks: [sink], vars: {} });
    return {
      call: () => log.info(MESSAGE, FIELDS),
      lines: () => lines,
      async settle() {
        const result = await log.flush({ timeoutMs: 10_000 });
        if (!result.ok) throw new Error(`shiplog flush not ok: ${JSON.stringify(result)}`);
      },
      logger: log,
    };
  },
};

const pino = {
  name: 'pino',
  note: 'pino 10 defaults (pid, hostname, time), destination `{ write(){} }`',
  async create() {
    const { default: createPino } = await import('pino');
    let lines = 0;
    const log = createPino({}, { write: () => void lines++ });
    return { call: () => log.info(FIELDS, MESSAGE), lines: () => lines, settle: async () => {} };
  },
};

const logtape = {
  name: 'logtape',
  note: '@logtape/logtape 2, `configure` with a sink that turns the record into a JSON line (`jsonLinesFormatter`)',
  async create() {
    const { configure, getLogger, jsonLinesFormatter } = await import('@logtape/logtape');
    let lines = 0;
    let last = '';
    await configure({
      reset: true,
      sinks: {
        json: (record) => {
          if (record.category[0] !== 'bench') return; // LogTape's own meta messages
          last = jsonLinesFormatter(record);
          lines++;
        },
      },
      loggers: [
        { category: ['bench'], lowestLevel: 'info', sinks: ['json'] },
        { category: ['logtape', 'meta'], lowestLevel: 'warning', sinks: [] },
      ],
    });
    const log = getLogger(['bench']);
    return {
      call: () => log.info(MESSAGE, FIELDS),
      lines: () => (last === '' || last.endsWith('\n') ? lines : -1),
      settle: async () => {},
    };
  },
};

/** evlog keeps its configuration in module state, so each variant re-initializes before it runs. */
function evlogContender(name, redact, note) {
  return {
    name,
    note,
    async create() {
      const { initLogger, log } = await import('evlog');
      const capture = captureConsole();
      const activate = () =>
        initLogger({ env: { service: 'bench', environment: 'production' }, pretty: false, stringify: true, redact });
      activate();
      return {
        activate,
        // evlog has no (message, fields) form: an object event is its API for fields.
        call: () => log.info({ message: MESSAGE, ...FIELDS }),
        lines: () => capture.counter.lines,
        settle: async () => {},
      };
    },
  };
}

const evlogPlain = evlogContender(
  'evlog',
  false,
  'evlog 2, `log.info({ message, ...fields })`, `pretty: false`, `redact: false`; its JSON line goes to a no-op console',
);
const evlogRedact = evlogContender(
  'evlog (default redaction)',
  true,
  'as above with `redact: true` (its production default: built-in PII patterns)',
);

const winston = {
  name: 'winston',
  note: 'winston 3, `format.combine(timestamp(), json())`, Stream transport into a discarding Writable',
  async create() {
    const { default: w } = await import('winston');
    let lines = 0;
    const discard = new Writable({
      write(_chunk, _encoding, done) {
        lines++;
        done();
      },
    });
    const log = w.createLogger({
      level: 'info',
      format: w.format.combine(w.format.timestamp(), w.format.json()),
      transports: [new w.transports.Stream({ stream: discard })],
    });
    return {
      call: () => log.info(MESSAGE, FIELDS),
      lines: () => lines,
      settle: () => new Promise((resolve) => setImmediate(resolve)),
    };
  },
};

/** In table order; pino first, it is the reference for ratios. */
export const CONTENDERS = [pino, shiplog, logtape, evlogPlain, evlogRedact, winston];
