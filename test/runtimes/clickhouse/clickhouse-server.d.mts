/** A running private ClickHouse server. */
export interface ClickHouseServer {
  /** HTTP interface, e.g. http://127.0.0.1:41234 */
  url: string;
  dir: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
  dispose(): Promise<void>;
}
export const CLICKHOUSE_BIN: string;
export function clickhouseInstalled(): boolean;
export function freePort(): Promise<number>;
export function query(url: string, sql: string, body?: string): Promise<string>;
export function startClickHouse(options?: { timeoutMs?: number }): Promise<ClickHouseServer>;
