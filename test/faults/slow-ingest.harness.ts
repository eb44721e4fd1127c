/**
 * shiplog's own ingest (createIngestHandler) behind node:http, with faults scripted per request:
 * late answers (stored, but answered only after the client gave up), hangs, resets before and
 * after storing, and 503s. What it stored is counted by the client's event id.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createLogger, type LogEvent } from '../../src/index.js';
import { createIngestHandler, type DedupeOptions } from '../../src/ingest.js';
import { memorySink } from '../../src/testing.js';

/** What the server does with one request. */
export type Fault = 'ok' | 'late' | 'hang' | 'reset-before' | 'reset-after' | '503';

export interface SlowIngest {
  url: string;
  /** Times each client event id was stored. */
  stored(): Promise<Map<string, number>>;
  /** Requests seen, by fault. */
  requests: Record<Fault, number>;
  close(): Promise<void>;
}

function toRequest(req: IncomingMessage, body: Buffer, url: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
  return new Request(url, { method: req.method ?? 'POST', headers, body: new Uint8Array(body) });
}

/** Starts the ingest; `next()` picks the fault of each request in arrival order. */
export async function startSlowIngest(next: () => Fault, dedupe?: DedupeOptions | false): Promise<SlowIngest> {
  const mem = memorySink();
  const logger = createLogger({ vars: {}, sinks: [mem], maxBufferSize: 1_000_000, batch: { size: 1_000_000, intervalMs: 0 } });
  const ingest = createIngestHandler({ logger, rateLimit: false, maxEvents: 10_000, maxBodyBytes: 16 * 1024 * 1024, ...(dedupe === undefined ? {} : { dedupe }) });
  const requests: Record<Fault, number> = { ok: 0, late: 0, hang: 0, 'reset-before': 0, 'reset-after': 0, '503': 0 };
  let base = '';

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const fault = next();
    requests[fault]++;
    // Late and hang answer only once the client has given up (its send timeout aborted the
    // request): deterministic "answered too late", whatever the machine's load.
    const afterClientGaveUp = (): void => void res.once('close', () => res.destroy());
    if (fault === 'reset-before') return void req.socket.destroy();
    if (fault === '503') return void res.writeHead(503).end();
    if (fault === 'hang') return afterClientGaveUp();
    const response = await ingest(toRequest(req, body, `${base}/ingest`));
    if (fault === 'late') return afterClientGaveUp();
    if (fault === 'reset-after') return void req.socket.destroy();
    res.writeHead(response.status, Object.fromEntries(response.headers)).end();
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url: `${base}/ingest`,
    requests,
    async stored() {
      await logger.flush();
      const counts = new Map<string, number>();
      for (const event of mem.events as readonly LogEvent[]) {
        const id = (JSON.parse(event.line) as { _eventId?: string })._eventId ?? '';
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
