import { chmodSync, mkdirSync, type Stats, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { readEnv } from '../config/env.js';
import { ClawkeepError } from '../errors.js';

export const HOME_MODE = 0o700;
export const FILE_MODE = 0o600;

/** `--home`, else `$CLAWKEEP_HOME`, else `~/.clawkeep`. */
export function resolveHome(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(explicit ?? readEnv(env).CLAWKEEP_HOME ?? join(homedir(), '.clawkeep'));
}

export interface PermissionFix {
  path: string;
  from: number;
  to: number;
}

/**
 * Creates the home if missing and enforces 0700 on it. Returns the permission changes it made
 * so callers can tell the user; throws `home_unusable` naming the path and the fix.
 */
export function ensureHome(home: string): PermissionFix[] {
  try {
    mkdirSync(home, { recursive: true, mode: HOME_MODE });
  } catch (err) {
    // EEXIST: something that is not a directory is in the way; the check below names it.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw homeError(home, err);
  }
  const st = statOrThrow(home);
  if (!st.isDirectory()) {
    throw new ClawkeepError(
      'home_unusable',
      `${home} is not a directory. Move it aside or pass --home DIR (or set CLAWKEEP_HOME).`,
      { details: { path: home } },
    );
  }
  const fixes: PermissionFix[] = [];
  enforceMode(home, st.mode, HOME_MODE, fixes);
  return fixes;
}

/** Enforces 0600 on an existing credential file; records what it changed. */
export function enforceFileMode(path: string, fixes: PermissionFix[]): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw homeError(path, err);
  }
  enforceMode(path, st.mode, FILE_MODE, fixes);
}

function enforceMode(path: string, mode: number, want: number, fixes: PermissionFix[]): void {
  const have = mode & 0o777;
  if (have === want) return;
  try {
    chmodSync(path, want);
  } catch (err) {
    throw new ClawkeepError(
      'home_unusable',
      `${path} has mode ${have.toString(8)} and clawkeep cannot change it to ${want.toString(8)}: ${(err as Error).message}. Fix: chmod ${want.toString(8)} ${path} (as its owner).`,
      { cause: err, details: { path } },
    );
  }
  fixes.push({ path, from: have, to: want });
}

function statOrThrow(path: string): Stats {
  try {
    return statSync(path);
  } catch (err) {
    throw homeError(path, err);
  }
}

function homeError(path: string, err: unknown): ClawkeepError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'ENOTDIR'
        ? 'a parent is not a directory'
        : (err as Error).message;
  return new ClawkeepError(
    'home_unusable',
    `cannot use clawkeep home ${path}: ${why}. Fix: make it readable and writable by this user (chown/chmod 700), or pass --home DIR (or set CLAWKEEP_HOME).`,
    { cause: err, details: { path, errno: code } },
  );
}
