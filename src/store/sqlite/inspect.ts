import Database from 'better-sqlite3';
import type { TokenCodec } from '../crypto/token-codec.js';
import { type ProfileRow, toProfile } from '../row.js';
import type { LinkedSourceRef, Profile } from '../types.js';
import { SCHEMA_VERSION } from './migrations.js';

/** What the doctor needs to know about a clawkeep store file, read without changing it. */
export interface StoreInspection {
  schemaVersion: number;
  supportedSchemaVersion: number;
  /** `PRAGMA integrity_check` lines; `['ok']` when healthy. */
  integrity: string[];
  /** Null when the schema is not the one this clawkeep reads. */
  profiles: Profile[] | null;
  /** Linked sources (external copies clawkeep keeps in step); null when profiles are. */
  links: LinkedSourceRef[] | null;
  /** Client names and their default chains (what the gateway config must define); null when profiles are. */
  clients: Array<{ name: string; chain: string | null }> | null;
  /** The key the token columns are sealed with; null when they are plaintext. */
  tokenKey: string | null;
}

/**
 * Opens a clawkeep SQLite store read-only (no migration, no pragma changes) and inspects it.
 * Throws the driver's error (`SQLITE_NOTADB`…) when the file is not a database. With a codec,
 * sealed tokens are opened: a store this host has no key for throws `store_key_missing` (or
 * `store_undecryptable`), never a corruption error.
 */
export function inspectSqliteStore(path: string, codec?: TokenCodec): StoreInspection {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    const integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map(
      (r) => r.integrity_check,
    );
    const readable = schemaVersion === SCHEMA_VERSION && integrity[0] === 'ok';
    const tokenKey = readable
      ? (
          db.prepare("SELECT value FROM settings WHERE key = 'token_key'").get() as
            | { value: string }
            | undefined
        )?.value || null
      : null;
    const profiles = readable
      ? (db.prepare('SELECT * FROM profiles ORDER BY id').all() as ProfileRow[]).map((r) =>
          toProfile(r, codec),
        )
      : null;
    const links = readable
      ? (
          db.prepare('SELECT profile_id, kind, location, added_at FROM linked_sources').all() as Array<{
            profile_id: string;
            kind: string;
            location: string;
            added_at: number;
          }>
        ).map((r) => ({ profileId: r.profile_id, kind: r.kind, location: r.location, addedAt: r.added_at }))
      : null;
    const clients = readable
      ? (db.prepare('SELECT name, chain FROM clients ORDER BY name').all() as Array<{
          name: string;
          chain: string | null;
        }>)
      : null;
    return {
      schemaVersion,
      supportedSchemaVersion: SCHEMA_VERSION,
      integrity,
      profiles,
      links,
      clients,
      tokenKey,
    };
  } finally {
    db.close();
  }
}
