/**
 * Shared by the freeze-harness tests: sandboxes and ingest servers stopped after each test, and
 * what an invocation had delivered by the instant its sandbox froze.
 */
import { afterEach } from 'vitest';
// @ts-expect-error plain ESM fixtures without type declarations
import { startSandbox } from '../../../fixtures/lambda/harness.mjs';
import { startIngestServer, type IngestBatch, type IngestServer } from '../../ingest-server.js';

export type Json = Record<string, any>;
export type Batch = IngestBatch;
export type Ingest = IngestServer;
export interface Settled { ok: boolean; timedOut: boolean; result?: Json; error?: Json; sameError?: boolean; settledAt: number; elapsedMs: number; requestId: string }
export interface Sandbox {
  invoke(event: unknown, options?: { timeoutMs?: number; traceHeader?: string }): Promise<Settled>;
  thaw(): void;
  isFrozen(): boolean;
  stop(): Promise<void>;
  stdoutEvents(): Json[];
  stderrEvents(): Json[];
}

export const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export async function ingest(behaviour?: { delayMs?: number; status?: number }): Promise<Ingest> {
  const server = await startIngestServer(behaviour);
  cleanups.push(() => server.close());
  return server;
}

export async function sandbox(exportName: string, env: Record<string, string>, modulePath?: string): Promise<Sandbox> {
  const box = (await startSandbox({ exportName, env, modulePath })) as Sandbox;
  cleanups.push(() => box.stop());
  return box;
}

/** Events of one invocation whose batch the ingest server had answered before the freeze. */
export function deliveredBeforeFreeze(server: Ingest, settled: Settled): Json[] {
  return server.batches
    .filter((batch) => batch.respondedAt <= settled.settledAt)
    .flatMap((batch) => batch.events)
    .filter((event) => event.requestId === settled.requestId);
}

export const wideEventOf = (events: Json[]): Json | undefined => events.find((e) => e.lambda !== undefined);
