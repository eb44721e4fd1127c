/**
 * `shiplog dev [--port 4318] [--host 127.0.0.1] [--token <secret>] [--dir .shiplog/dev]`:
 * starts the local collector and viewer, prints where, and runs until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { startDevServer, type DevServer } from './server.js';

const USAGE = `Usage: shiplog dev [options]

A local collector and live viewer. Send to it:
  browser ingest         POST /ingest             (shiplog/ingest's endpoint)
  shiplog HTTP batches   POST /v1/batch           (httpSink, JSON array or NDJSON)
  OpenTelemetry logs     POST /v1/logs            (OTLP/HTTP JSON, e.g. otlpSink)
  delivery reports       POST /v1/stats           ({ service, runtime, stats: logger.stats() })
Add ?runtime=<name> to a sender's URL to label its events.

Options:
  --port <n>        port (default 4318; the next free one when taken)
  --host <addr>     address to bind (default 127.0.0.1; any other needs --token)
  --token <secret>  required on every request (also SHIPLOG_DEV_TOKEN)
  --dir <path>      where events are stored (default .shiplog/dev)
  --max-events <n>  events kept before the oldest are deleted (default 2000000)
  --help, -h        this text
`;

function fail(message: string): never {
  process.stderr.write(`shiplog dev: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** Runs the command with the arguments after `dev`; resolves with the running server. */
export async function runDev(argv: readonly string[]): Promise<DevServer> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        token: { type: 'string' },
        dir: { type: 'string' },
        'max-events': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const port = Number(values.port ?? process.env.PORT ?? 4318);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0-65535; got "${values.port}"`);
  const maxEvents = values['max-events'] === undefined ? undefined : Number(values['max-events']);
  if (maxEvents !== undefined && !(Number.isInteger(maxEvents) && maxEvents > 0)) fail(`--max-events must be a whole number > 0`);
  let server: DevServer;
  try {
    server = await startDevServer({
      port,
      host: values.host ?? '127.0.0.1',
      token: values.token ?? process.env.SHIPLOG_DEV_TOKEN,
      dir: values.dir ?? '.shiplog/dev',
      maxEvents,
    });
  } catch (error) {
    process.stderr.write(`shiplog dev: ${(error as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.on('error', () => undefined); // `shiplog dev | head`: the collector keeps running without stdout
  if (server.note !== undefined) process.stdout.write(`shiplog dev: ${server.note}\n`);
  const stored = server.store.stats().events;
  process.stdout.write(`shiplog dev: viewer at ${server.url}${stored > 0 ? ` (${stored} events kept from earlier runs)` : ''}\n`);
  process.stdout.write(`shiplog dev: send to ${server.url.replace(/\/(\?.*)?$/, '')}/v1/batch, /v1/logs (OTLP) or /ingest (browser); Ctrl-C stops\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server;
}
