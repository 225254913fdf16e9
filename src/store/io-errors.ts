import { statfsSync } from 'node:fs';
import { ClawkeepError, type ErrorCode } from '../errors.js';

/** Below this much free space an I/O error is most likely the disk filling up. */
const NEARLY_FULL_BYTES = 64 * 1024;

/** The store error codes an I/O failure maps to; each can happen mid-rotation and must not lose tokens. */
export type StoreIoCode = 'store_full' | 'store_io' | 'store_busy' | 'store_readonly' | 'store_denied';

interface IoRule {
  code: StoreIoCode;
  /** What happened, in words a user recognises. */
  what: string;
  /** The hint: what to do about it (`{path}` and `{dir}` are filled in). */
  hint: string;
}

/**
 * Driver and system error codes (SQLite extended codes match by prefix) to clawkeep codes and hints.
 * First match wins; order the specific before the general.
 */
export const STORE_IO_RULES: ReadonlyArray<{ match: string; rule: IoRule }> = [
  {
    match: 'SQLITE_FULL',
    rule: { code: 'store_full', what: 'the disk is full', hint: 'free space on the disk holding {dir}' },
  },
  {
    match: 'ENOSPC',
    rule: { code: 'store_full', what: 'the disk is full', hint: 'free space on the disk holding {dir}' },
  },
  {
    match: 'EDQUOT',
    rule: {
      code: 'store_full',
      what: 'the disk quota is exhausted',
      hint: 'free space or raise the quota on {dir}',
    },
  },
  {
    match: 'SQLITE_BUSY',
    rule: {
      code: 'store_busy',
      what: 'another process holds the store lock',
      hint: 'retry shortly; if it persists, find the process holding {path} (fuser {path})',
    },
  },
  {
    match: 'SQLITE_LOCKED',
    rule: {
      code: 'store_busy',
      what: 'the store is locked',
      hint: 'retry shortly; if it persists, find the process holding {path} (fuser {path})',
    },
  },
  {
    match: 'EROFS',
    rule: {
      code: 'store_readonly',
      what: 'the file system is read-only',
      hint: 'remount {dir} read-write (or pass --home DIR on a writable disk)',
    },
  },
  {
    match: 'SQLITE_READONLY',
    rule: {
      code: 'store_readonly',
      what: 'the store cannot be written (read-only file or file system)',
      hint: 'make {path} writable by this user (chmod 600 {path}) or remount {dir} read-write',
    },
  },
  {
    match: 'EACCES',
    rule: {
      code: 'store_denied',
      what: 'permission denied',
      hint: 'make {dir} and its files owned and writable by this user (chmod 700 {dir}; chmod 600 {path})',
    },
  },
  {
    match: 'EPERM',
    rule: {
      code: 'store_denied',
      what: 'operation not permitted',
      hint: 'make {dir} and its files owned and writable by this user (chmod 700 {dir}; chmod 600 {path})',
    },
  },
  {
    match: 'SQLITE_PERM',
    rule: {
      code: 'store_denied',
      what: 'permission denied',
      hint: 'make {dir} and its files owned and writable by this user (chmod 700 {dir}; chmod 600 {path})',
    },
  },
  {
    match: 'SQLITE_IOERR',
    rule: {
      code: 'store_io',
      what: 'an I/O error',
      hint: 'check the disk holding {dir} (dmesg, df -h {dir}) and retry',
    },
  },
  {
    match: 'EIO',
    rule: {
      code: 'store_io',
      what: 'an I/O error',
      hint: 'check the disk holding {dir} (dmesg, df -h {dir}) and retry',
    },
  },
];

/** The rule for a driver or system error code, or null when it is not an I/O condition. */
export function ioRuleFor(code: string | undefined): IoRule | null {
  if (!code) return null;
  for (const { match, rule } of STORE_IO_RULES) {
    if (code === match || code.startsWith(`${match}_`)) return rule;
  }
  return null;
}

/** The error's driver/system code (`SQLITE_FULL`, `ENOSPC`…), if it has one. */
export function errorCodeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const STORE_IO_CODES: ReadonlySet<ErrorCode> = new Set([
  'store_full',
  'store_io',
  'store_busy',
  'store_readonly',
  'store_denied',
  // A write thread that died may or may not have committed: the same care as an I/O error.
  'store_worker_died',
]);

/** True for a clawkeep error raised because the store could not be read or written (not a rule). */
export function isStoreIoError(err: unknown): err is ClawkeepError {
  return err instanceof ClawkeepError && STORE_IO_CODES.has(err.code);
}

/**
 * Turns an I/O failure while `doing` something with `path` into a clawkeep error with a stable code
 * and a hint; returns other errors unchanged. The message never carries the driver's stack.
 */
export function toStoreIoError(err: unknown, path: string, doing: string, dir = parentOf(path)): unknown {
  if (err instanceof ClawkeepError) return err;
  const sys = errorCodeOf(err);
  let rule = ioRuleFor(sys);
  if (!rule) return err;
  // SQLite reports a shared-memory or journal file it could not grow as an I/O error; say what it is.
  if (rule.code === 'store_io' && isNearlyFull(dir)) rule = ioRuleFor('ENOSPC')!;
  const fill = (s: string) => s.replaceAll('{path}', path).replaceAll('{dir}', dir);
  return new ClawkeepError(
    rule.code,
    `cannot ${doing} ${path}: ${rule.what} (${sys}). Fix: ${fill(rule.hint)}`,
    {
      cause: err,
      details: { path, errno: sys, fix: fill(rule.hint) },
    },
  );
}

function isNearlyFull(dir: string): boolean {
  try {
    const st = statfsSync(dir);
    return st.bavail * st.bsize < NEARLY_FULL_BYTES;
  } catch {
    return false;
  }
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i > 0 ? path.slice(0, i) : path;
}
