// A private ClickHouse server (Debian's clickhouse-server, 18.16) for tests and the bench: its own
// config, data dir and free ports on 127.0.0.1; nothing of the system service is touched.
// Plain .mjs so bench/clickhouse.bench.mjs and the vitest globalSetup share it.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLICKHOUSE_BIN = '/usr/sbin/clickhouse-server';
const SYSTEM_CONFIG = '/etc/clickhouse-server/config.xml';

/** Whether the Debian package is installed (scripts/setup.mjs installs it). */
export function clickhouseInstalled() {
  return existsSync(CLICKHOUSE_BIN) && existsSync(SYSTEM_CONFIG);
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs one query over the HTTP interface; resolves with the body, rejects with ClickHouse's error text. */
export async function query(url, sql, body) {
  const response = await fetch(`${url}/?query=${encodeURIComponent(sql)}`, { method: body === undefined && !/^\s*(create|drop|insert|alter|optimize|truncate)/i.test(sql) ? 'GET' : 'POST', body });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse ${response.status}: ${text.slice(0, 500)}`);
  return text;
}

/**
 * Starts a server in a fresh temporary directory (config, data, logs) on free ports, waits until
 * `SELECT 1` answers, and returns `{ url, dir, stop, restart }`. As root it runs as the
 * `clickhouse` user (the server refuses to run as root on some versions and its files must be
 * owned by the user running it).
 */
export async function startClickHouse({ timeoutMs = 60_000 } = {}) {
  if (!clickhouseInstalled()) throw new Error('clickhouse-server is not installed (node scripts/setup.mjs installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'shiplog-clickhouse-'));
  mkdirSync(join(dir, 'data'), { recursive: true });
  mkdirSync(join(dir, 'log'), { recursive: true });
  const [http, tcp, interserver] = [await freePort(), await freePort(), await freePort()];
  const config = readFileSync(SYSTEM_CONFIG, 'utf8')
    .replace(/<http_port>\d+<\/http_port>/, `<http_port>${http}</http_port>`)
    .replace(/<tcp_port>\d+<\/tcp_port>/, `<tcp_port>${tcp}</tcp_port>`)
    .replace(/<interserver_http_port>\d+<\/interserver_http_port>/, `<interserver_http_port>${interserver}</interserver_http_port>`)
    .replace(/<listen_host>::1<\/listen_host>/, '')
    .replaceAll('/var/lib/clickhouse/', `${dir}/data/`)
    .replaceAll('/var/log/clickhouse-server/', `${dir}/log/`)
    .replace('<users_config>users.xml</users_config>', `<users_config>${dir}/users.xml</users_config>`);
  writeFileSync(join(dir, 'config.xml'), config);
  copyFileSync('/etc/clickhouse-server/users.xml', join(dir, 'users.xml'));
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (asRoot) execFileSync('chown', ['-R', 'clickhouse:clickhouse', dir]);
  const url = `http://127.0.0.1:${http}`;
  let child;

  async function start() {
    const args = [`--config-file=${join(dir, 'config.xml')}`];
    child = asRoot
      ? spawn('runuser', ['-u', 'clickhouse', '--', CLICKHOUSE_BIN, ...args], { stdio: 'ignore', detached: true })
      : spawn(CLICKHOUSE_BIN, args, { stdio: 'ignore', detached: true });
    const started = child;
    let exited = false;
    started.once('exit', () => (exited = true));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exited) throw new Error(`clickhouse-server exited at start; see ${dir}/log/clickhouse-server.err.log`);
      try {
        if ((await query(url, 'SELECT 1')).trim() === '1') return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`clickhouse-server did not answer within ${timeoutMs} ms; see ${dir}/log`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the server we started (by its process group), waiting for it to exit. */
  async function stop() {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    try {
      process.kill(-running.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-running.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 15_000);
    await exited;
    clearTimeout(timer);
  }

  await start();
  return {
    url,
    dir,
    stop,
    /** Starts the same server again on the same ports and data. */
    restart: start,
    /** Stops the server and deletes its directory. */
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
