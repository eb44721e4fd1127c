import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;

it('the package tarball has the MIT LICENSE, the README and dist/', () => {
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as [
    { files: { path: string }[] },
  ];
  const paths = pack.files.map((file) => file.path);
  expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
  expect(paths.filter((path) => !path.startsWith('dist/')).sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
  const license = readFileSync(`${root}LICENSE`, 'utf8');
  expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 shiplog contributors\n/);
  expect((JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { license: string }).license).toBe('MIT');
});
