/**
 * The fixture as users build it: `wrangler deploy --dry-run --outdir` (wrangler 4.86.0, from the
 * repository's wrangler.toml, resolving `shiplog/*` to the built dist/ through the package
 * exports), then the emitted bundle runs in workerd and logs its wide event.
 * Needs dist/ (`npm test` builds it first); holds the build lock while wrangler reads dist/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { startWorker, until, type RunningWorker } from './harness.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const outdir = mkdtempSync(join(tmpdir(), 'shiplog-wrangler-'));
let worker: RunningWorker | undefined;

afterAll(async () => {
  await worker?.dispose();
  rmSync(outdir, { recursive: true, force: true });
});

test('wrangler deploy --dry-run bundles the fixture, and the bundle runs in workerd', async () => {
  expect(existsSync(join(root, 'dist', 'workers.js')), 'dist/ must be built (npx tsup)').toBe(true);
  const wrangler = join(root, 'node_modules', '.bin', 'wrangler');
  execFileSync('flock', ['/tmp/build.lock', wrangler, 'deploy', '--dry-run', '--outdir', outdir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' },
  });
  const bundle = readFileSync(join(outdir, 'index.js'), 'utf8');
  expect(bundle).toContain('fixture-worker');

  worker = await startWorker(bundle);
  const res = await worker.mf.dispatchFetch('http://worker.test/users/11', { headers: { 'x-request-id': 'bundled-11' } });
  expect(await res.json()).toEqual({ id: '11' });
  const w = worker;
  await until(() => w.records().some((r) => r.requestId === 'bundled-11' && r.status === 200), 10_000, 'the wide event');
  expect(w.records().find((r) => r.requestId === 'bundled-11' && r.status === 200)).toMatchObject({
    msg: 'GET /users/11 200',
    route: '/users/:id',
    service: 'fixture-worker',
  });
}, 60_000);
