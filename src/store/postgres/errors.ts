import { ClawkeepError, isClawkeepError } from '../../errors.js';

const UNREACHABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** PostgreSQL SQLSTATEs and driver errors → clawkeep codes, each with the fix. A table, not branches. */
const RULES: ReadonlyArray<{
  match: (e: { code?: string; message: string }) => boolean;
  code: 'store_unreachable' | 'store_auth_failed' | 'store_database_missing' | 'store_read_only';
  say: (where: string, e: { message: string }) => string;
}> = [
  {
    match: (e) =>
      (e.code !== undefined && (UNREACHABLE_ERRNO.has(e.code) || /^(08|57P0[123])/.test(e.code))) ||
      /timeout expired|Connection terminated|connection (is )?closed|Client has encountered a connection error/i.test(
        e.message,
      ),
    code: 'store_unreachable',
    say: (where, e) =>
      `cannot reach PostgreSQL at ${where} (${e.message}). Fix: start the server, or check host and port in CLAWKEEP_STORE / --store / config "store".`,
  },
  {
    match: (e) =>
      e.code === '28P01' ||
      e.code === '28000' ||
      /password must be a string|SASL|password authentication/i.test(e.message),
    code: 'store_auth_failed',
    say: (where, e) =>
      `PostgreSQL at ${where} refused the login (${e.message}). Fix: check the role and its password (in the URL, a passwordFile, PGPASSFILE or PGPASSWORD) and pg_hba.conf; see docs/fleet.md.`,
  },
  {
    match: (e) => e.code === '42501',
    code: 'store_auth_failed',
    say: (where, e) =>
      `the PostgreSQL role lacks a privilege at ${where} (${e.message}). Fix: make the role own the database (ALTER DATABASE … OWNER TO …); see docs/fleet.md.`,
  },
  {
    match: (e) => e.code === '3D000',
    code: 'store_database_missing',
    say: (where, e) =>
      `${e.message} at ${where}. Fix: create it (createdb -O <role> <database>, or CREATE DATABASE … OWNER …); see docs/fleet.md.`,
  },
  {
    match: (e) => e.code === '25006',
    code: 'store_read_only',
    say: (where) =>
      `PostgreSQL at ${where} is read-only (a hot standby, or default_transaction_read_only). clawkeep must write every rotation: point the store URL at the primary.`,
  },
];

/** Turns a driver error into a typed ClawkeepError naming the (password-free) location; others pass through. */
export function classifyPgError(err: unknown, where: string): unknown {
  if (isClawkeepError(err) || !(err instanceof Error)) return err;
  const e = err as Error & { code?: string };
  const rule = RULES.find((r) => r.match(e));
  if (!rule) return err;
  return new ClawkeepError(rule.code, rule.say(where, e), {
    cause: err,
    details: { store: where, ...(e.code ? { pgCode: e.code } : {}) },
  });
}

export function isUnreachable(err: unknown): boolean {
  return isClawkeepError(err, 'store_unreachable');
}

export function readOnlyError(where: string): ClawkeepError {
  return new ClawkeepError('store_read_only', RULES.at(-1)!.say(where, { message: '' }), {
    details: { store: where },
  });
}
