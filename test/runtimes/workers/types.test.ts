/**
 * The public Workers/Hono types as users meet them: the fixture (`withShiplog` around a Hono
 * app's fetch, typed `c.var.log`) and the test Workers compile under strict TypeScript.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('fixture and test Workers type-check (strict)', () => {
  const tsc = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}test/runtimes/workers/tsconfig.json`, '--noEmit'], {
    encoding: 'utf8',
  });
  expect(tsc.stdout + tsc.stderr).toBe('');
  expect(tsc.status).toBe(0);
}, 60_000);
