import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Everything the tests download or unpack lives here (gitignored), so a second run costs milliseconds. */
export const CACHE_DIR = join(REPO_ROOT, '.cache');

/** An installed package's directory, found from its entry point (its package.json may not be exported). */
export function packageDir(name: string, from: string = import.meta.url): string {
  const require = createRequire(from);
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || readPackageName(dir) !== name) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the directory of the installed package ${name}`);
    dir = up;
  }
  return dir;
}

function readPackageName(dir: string): string | undefined {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name;
}
