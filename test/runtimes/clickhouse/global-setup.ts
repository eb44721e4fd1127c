import type { TestProject } from 'vitest/node';
import { startClickHouse } from './clickhouse-server.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** HTTP interface of the private ClickHouse server, e.g. http://127.0.0.1:41234. */
    clickhouseUrl: string;
  }
}

/**
 * Starts a private ClickHouse server (own config, data dir and free ports on 127.0.0.1) for the
 * whole project and stops it (by the pid we started) afterwards. scripts/setup.mjs installs it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startClickHouse();
  project.provide('clickhouseUrl', server.url);
  return () => server.dispose();
}
