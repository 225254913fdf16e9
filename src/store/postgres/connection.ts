import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { ClawkeepError } from '../../errors.js';
import { loadConnectionString, loadPgPass } from './driver.js';
import { redactUrl } from './url.js';

export { isPostgresUrl, redactUrl } from './url.js';

/** Where a PostgreSQL store lives. The URL may omit the password (passwordFile, PGPASSFILE, PGPASSWORD). */
export interface PostgresTarget {
  url: string;
  /** A file holding the password (first line), for URLs without one. */
  passwordFile?: string | null;
  /** Pool size; default 10 (the gateway's rotations are short; its hot path needs no connection). */
  poolMax?: number;
}

/** Client settings shared by the pool and the LISTEN connection. */
export function clientConfig(target: PostgresTarget): pg.ClientConfig {
  let base: pg.ClientConfig;
  try {
    const { parse, toClientConfig } = loadConnectionString();
    base = toClientConfig(parse(target.url));
  } catch (err) {
    throw new ClawkeepError(
      'config_invalid',
      `the store URL ${redactUrl(target.url)} is not a valid PostgreSQL connection string: ${(err as Error).message}`,
      { cause: err, details: { store: redactUrl(target.url) } },
    );
  }
  return {
    ...base,
    // pg accepts a function resolving to undefined ("no password"); its typings say string only.
    password: base.password || (passwordSource(target, base) as () => Promise<string>),
    application_name: base.application_name ?? 'clawkeep',
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
    // A crashed or wedged client never holds a row lock for long.
    idle_in_transaction_session_timeout: 15_000,
    statement_timeout: 30_000,
  };
}

export function poolConfig(target: PostgresTarget): pg.PoolConfig {
  return { ...clientConfig(target), max: target.poolMax ?? 10, idleTimeoutMillis: 30_000 };
}

/** passwordFile, else the pgpass file (PGPASSFILE or ~/.pgpass), else none (PGPASSWORD, trust, peer). */
function passwordSource(target: PostgresTarget, base: pg.ClientConfig): () => Promise<string | undefined> {
  const file = target.passwordFile;
  if (file) {
    return async () => {
      try {
        return readFileSync(file, 'utf8').split(/\r?\n/)[0]!.trim();
      } catch (err) {
        throw new ClawkeepError(
          'store_auth_failed',
          `cannot read the PostgreSQL password file ${file}: ${(err as Error).message}. Fix: create it (chmod 600) with the password on its first line, or drop passwordFile to use PGPASSFILE.`,
          { cause: err, details: { passwordFile: file } },
        );
      }
    };
  }
  return () =>
    new Promise((resolve) => {
      if (process.env.PGPASSWORD !== undefined) return resolve(process.env.PGPASSWORD);
      loadPgPass()(
        {
          host: base.host ?? process.env.PGHOST ?? 'localhost',
          port: String(base.port ?? process.env.PGPORT ?? 5432),
          database: base.database ?? process.env.PGDATABASE ?? base.user ?? '',
          user: base.user ?? process.env.PGUSER ?? '',
        },
        (pass) => resolve(pass),
      );
    });
}
