import { readEnvVar } from '../config/env.js';
import { ensureHome, type PermissionFix } from './home.js';
import { resolveStoreLocation, STORE_FILE, type StoreLocation } from './location.js';
import { PostgresStore } from './postgres/pg-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

export { STORE_FILE };

export interface OpenStoreOptions {
  home: string;
  /** `postgres://…` or a SQLite path; default: `$CLAWKEEP_STORE`, the config's `store`, `<home>/clawkeep.sqlite`. */
  location?: string;
  busyTimeoutMs?: number;
}

export interface OpenedStore {
  store: Store;
  /** Permission changes made while opening (home 0700, files 0600), for a one-line notice. */
  fixes: PermissionFix[];
  location: StoreLocation;
}

/**
 * Opens the store of a clawkeep home, enforcing its permissions. Never blocks on the network: a
 * PostgreSQL store connects (and migrates) on its first call.
 */
export function openStore(options: OpenStoreOptions): OpenedStore {
  const fixes = ensureHome(options.home);
  const location = resolveStoreLocation(options.home, options.location);
  return { store: openLocation(location, fixes, options.busyTimeoutMs, options.home), fixes, location };
}

export function openLocation(
  location: StoreLocation,
  fixes: PermissionFix[] = [],
  busyTimeoutMs?: number,
  /** The clawkeep home whose key files hold the token key (encryption at rest). */
  home?: string,
): Store {
  const keys = home === undefined ? {} : { keys: { home } };
  if (location.kind === 'postgres') {
    const poolMax = readEnvVar('CLAWKEEP_PG_POOL_MAX');
    return new PostgresStore({
      url: location.url,
      passwordFile: location.passwordFile,
      ...(poolMax !== undefined ? { poolMax } : {}),
      ...keys,
    });
  }
  return new SqliteStore(location.path, {
    ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }),
    fixes,
    ...keys,
  });
}
