/**
 * The one log ingest server of the runtime tests (Workers, Lambda, Edge): a real node:http
 * server on loopback that records every batch it answered with 2xx — when its body arrived and
 * when it was answered — and can be told to answer slowly, fail, or hang (read the body, never
 * answer, keep the connection open, as a gateway that silently lost the connection would).
 * Accepts JSON arrays, single JSON objects and NDJSON.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type IngestEvent = Record<string, any>;

/** A batch the server answered with 2xx. */
export interface IngestBatch {
  /** When its body had fully arrived. */
  receivedAt: number;
  /** When the answer was written (after `delayMs`). */
  respondedAt: number;
  status: number;
  body: string;
  events: IngestEvent[];
}

/** How to answer: fixed settings, or per request (`n` counts from 0): a status, or 'hang'. */
export type IngestBehaviour =
  | { delayMs?: number; status?: number; hang?: boolean }
  | ((n: number, body: string) => number | 'hang' | Promise<number | 'hang'>);

export interface IngestServer {
  /** `http://127.0.0.1:<port>/ingest` */
  readonly url: string;
  /** Batches answered with 2xx, in the order they were answered. */
  readonly batches: IngestBatch[];
  /** Every event of every 2xx batch, in order. */
  events(): IngestEvent[];
  /** Requests seen, answered or not. */
  readonly requests: number;
  /** Requests left unanswered in hang mode, and how many of those the client gave up on. */
  readonly hung: number;
  readonly abandoned: number;
  /** Changes how later requests are answered (fixed settings merge into the current ones). */
  behaviour: IngestBehaviour;
  close(): Promise<void>;
}

function parseBody(body: string): IngestEvent[] {
  const text = body.trim();
  if (text === '') return [];
  if (text.startsWith('[')) return JSON.parse(text) as IngestEvent[];
  return text.split('\n').map((line) => JSON.parse(line) as IngestEvent);
}

export async function startIngestServer(initial: IngestBehaviour = {}): Promise<IngestServer> {
  const batches: IngestBatch[] = [];
  const hanging = new Set<http.ServerResponse>();
  let settings = { delayMs: 0, status: 200, hang: false };
  let perRequest: Extract<IngestBehaviour, (...args: never[]) => unknown> | undefined;
  const counts = { requests: 0, hung: 0, abandoned: 0 };
  const behave = (next: IngestBehaviour): void => {
    if (typeof next === 'function') perRequest = next;
    else {
      perRequest = undefined;
      settings = { ...settings, ...next };
    }
  };
  behave(initial);

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const receivedAt = Date.now();
      const n = counts.requests++;
      const { delayMs } = settings;
      const answer = perRequest === undefined ? (settings.hang ? 'hang' : settings.status) : await perRequest(n, body);
      if (answer === 'hang') {
        counts.hung++;
        hanging.add(res);
        res.on('close', () => {
          if (hanging.delete(res)) counts.abandoned++;
        });
        return;
      }
      const respond = (): void => {
        const respondedAt = Date.now();
        if (answer >= 200 && answer < 300) batches.push({ receivedAt, respondedAt, status: answer, body, events: parseBody(body) });
        res.writeHead(answer, { 'content-type': 'text/plain' }).end(String(answer));
      };
      if (perRequest === undefined && delayMs > 0) setTimeout(respond, delayMs);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`;
  return {
    url,
    batches,
    events: () => batches.flatMap((b) => b.events),
    get requests() {
      return counts.requests;
    },
    get hung() {
      return counts.hung;
    },
    get abandoned() {
      return counts.abandoned;
    },
    get behaviour(): IngestBehaviour {
      return perRequest ?? { ...settings };
    },
    set behaviour(next: IngestBehaviour) {
      behave(next);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on 127.0.0.1 where nothing listens (connection refused): an ingest that is down. */
export async function deadIngestUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/ingest`;
}
