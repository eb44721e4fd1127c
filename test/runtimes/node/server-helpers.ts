/**
 * Helpers for the Node server adapter tests (Express, Fastify, node:http): a logger on a memory
 * sink whose per-request flushes are observable, gates that let tests order concurrent
 * handlers, and a client that goes away mid-response.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type FlushResult, type Logger, type RequestLogger } from '../../../runtimes/node/index.js';
import { memorySink, type MemorySink } from '../../../src/testing.js';

export type Json = Record<string, any>;

export interface Observed {
  logger: Logger;
  sink: MemorySink;
  /** Options for an adapter: the logger plus an onFlush that records each request's flush. */
  options: { logger: Logger; onFlush: (result: FlushResult, log: RequestLogger) => void; flushTimeoutMs?: number };
  /** Resolves when the request with this id has been flushed (its wide event was emitted). */
  flushed(requestId: string): Promise<FlushResult>;
  /** Every event of one request, by its x-request-id. */
  eventsOf(requestId: string): Json[];
  /** The wide event of one request (the one with a durationMs). */
  wideOf(requestId: string): Json | undefined;
}

export function observe(flushTimeoutMs?: number): Observed {
  const sink = memorySink();
  const logger = createLogger({ sinks: [sink], exit: false });
  const results = new Map<string, FlushResult>();
  const waiters = new Map<string, (result: FlushResult) => void>();
  const eventsOf = (id: string): Json[] => sink.records().filter((e) => e.requestId === id);
  return {
    logger,
    sink,
    options: {
      logger,
      ...(flushTimeoutMs === undefined ? {} : { flushTimeoutMs }),
      onFlush: (result, log) => {
        results.set(log.requestId, result);
        waiters.get(log.requestId)?.(result);
      },
    },
    flushed: (id) => {
      const done = results.get(id);
      return done !== undefined ? Promise.resolve(done) : new Promise((resolve) => waiters.set(id, resolve));
    },
    eventsOf,
    wideOf: (id) => eventsOf(id).find((e) => typeof e.durationMs === 'number'),
  };
}

/** A promise with its resolve function, opened by the test when it chooses. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Listens on a random loopback port; returns the base URL and a close function. */
export async function listen(server: http.Server): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** GET with an x-request-id; resolves with the status and body. */
export async function get(url: string, requestId: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { headers: { 'x-request-id': requestId } });
  return { status: res.status, body: await res.text() };
}

/** Starts a GET, and destroys the connection as soon as the response headers arrive. */
export function getAndAbort(url: string, requestId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { 'x-request-id': requestId } }, (res) => {
      res.on('error', () => undefined);
      req.destroy();
      resolve();
    });
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve() : reject(error)));
  });
}

/** Reads a streamed response chunk by chunk; `onChunk` runs after each. */
export function readStream(url: string, requestId: string, onChunk: (chunk: string, index: number) => void): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'x-request-id': requestId } }, (res) => {
        let body = '';
        let index = 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          onChunk(chunk, index++);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}
