import { join } from 'node:path';
import { ensureHome, type PermissionFix } from './home.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

export const STORE_FILE = 'clawkeep.sqlite';

export interface OpenStoreOptions {
  home: string;
  busyTimeoutMs?: number;
}

export interface OpenedStore {
  store: Store;
  /** Permission changes made while opening (home 0700, files 0600), for a one-line notice. */
  fixes: PermissionFix[];
}

/** Opens the store of a clawkeep home, enforcing its permissions. */
export function openStore(options: OpenStoreOptions): OpenedStore {
  const fixes = ensureHome(options.home);
  const store = new SqliteStore(join(options.home, STORE_FILE), {
    ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
    fixes,
  });
  return { store, fixes };
}
