import { createServer, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** One request as the capture server received it (gzip bodies already inflated). */
export interface Captured {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A node:http server on 127.0.0.1 that records every request and answers `answer` (settable). */
export interface CaptureServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  received: Captured[];
  /** What the next requests get; default 200 with `{}` as JSON. */
  answer: { status: number; body: string };
  /** Forgets what was received and restores the default answer. */
  reset(): void;
  close(): Promise<void>;
}

export async function startCaptureServer(): Promise<CaptureServer> {
  const received: Captured[] = [];
  const capture: Omit<CaptureServer, 'url' | 'close'> = {
    received,
    answer: { status: 200, body: '{}' },
    reset() {
      received.length = 0;
      capture.answer = { status: 200, body: '{}' };
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      res.writeHead(capture.answer.status, { 'content-type': 'application/json' }).end(capture.answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return Object.assign(capture, { url, close: () => new Promise<void>((r) => server.close(() => r())) });
}
