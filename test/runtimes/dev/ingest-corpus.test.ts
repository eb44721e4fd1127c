/**
 * The browser ingest's hostile corpus (fixtures/ingest/corpus.mjs), sent to the collector's
 * `/ingest`: through the node:http → Request bridge, createIngestHandler and the store. Each
 * case gets the corpus's status (except those about the corpus server's own configuration:
 * origins, public keys, its rate limit), nothing is echoed back, the events that are accepted
 * are stored bounded, and the process's memory stays bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY, cases } from '../../../fixtures/ingest/corpus.mjs';
import { startCollector, type TestCollector } from './helpers.js';

interface Case {
  name: string;
  expect: number | number[];
  body?: string | Uint8Array;
  method?: string;
  headers?: Record<string, string>;
  repeat?: number;
  stream?: number;
  declaredLength?: number;
  check?: (record: Record<string, unknown>) => boolean;
}

/** The corpus server's own configuration (allowed origin, public keys, burst of 20); the collector allows any origin, needs no key. */
const CONFIGURATION_CASES = new Set(['wrong origin', 'preflight from a wrong origin', 'missing public key', 'wrong public key']);
/** Checks about what the event looks like after storage, which hold for the collector's events too. */
const STORAGE_CHECKS = new Set(['deeply nested arrays (100k levels)', 'deeply nested objects (50k levels)', 'huge string (900 KB message)', '50k keys in one event', '200k-item array field', 'time far in the future', 'time far in the past', 'time is garbage', 'time overflows to Infinity']);

let c: TestCollector;
let rssBefore = 0;
beforeAll(async () => {
  c = await startCollector({ maxBodyBytes: 1_048_576 }); // the ingest's default cap, as in the corpus
  rssBefore = process.memoryUsage().rss;
});
afterAll(async () => {
  await c?.stop();
});

// Streams and declared lengths need raw sockets: the collector's own tests send those
// (collector.test.ts: oversized bodies with and without Content-Length, slow bodies).
const sendable = (cases as Case[]).filter((k) => !CONFIGURATION_CASES.has(k.name) && k.stream === undefined && k.declaredLength === undefined);

describe("the ingest's hostile corpus against shiplog dev's /ingest", () => {
  it('sends most of the corpus', () => {
    expect(sendable.length).toBeGreaterThanOrEqual(30);
  });

  for (const k of sendable) {
    it(`${k.name} → ${String(k.expect)}`, async () => {
      const before = c.store.stats().events;
      const replies = await Promise.all(
        Array.from({ length: k.repeat ?? 1 }, async () => {
          const method = k.method ?? 'POST';
          const response = await fetch(`${c.base}/ingest`, {
            method,
            headers: { 'content-type': 'application/json', ...k.headers },
            body: method === 'GET' || method === 'OPTIONS' ? undefined : k.body,
          });
          return { status: response.status, text: await response.text() };
        }),
      );
      for (const reply of replies) {
        if (Array.isArray(k.expect)) expect(k.expect).toContain(reply.status);
        else expect(reply.status).toBe(k.expect);
        expect(reply.text).not.toContain(CANARY);
        expect(reply.text.length).toBeLessThan(100);
      }
      if (k.check !== undefined && STORAGE_CHECKS.has(k.name)) {
        expect(c.store.stats().events).toBe(before + 1);
        const [record] = (await (await fetch(`${c.base}/api/events?limit=1`)).json()).events;
        expect(k.check(record), JSON.stringify(record).slice(0, 300)).toBe(true);
      }
    });
  }

  it('kept memory bounded and stored nothing it refused', async () => {
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(150 * 1024 * 1024);
    const ingest = c.health.snapshot().endpoints.ingest;
    expect(ingest?.stored).toBe(c.store.stats().events);
    expect(Object.prototype.hasOwnProperty.call({}, 'polluted')).toBe(false);
    const page = await (await fetch(`${c.base}/api/events?limit=500`)).json();
    expect(page.events.length).toBe(c.store.stats().events); // everything stored reads back
  });
});
