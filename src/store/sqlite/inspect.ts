import Database from 'better-sqlite3';
import { type ProfileRow, toProfile } from '../row.js';
import type { Profile } from '../types.js';
import { SCHEMA_VERSION } from './migrations.js';

/** What the doctor needs to know about a clawkeep store file, read without changing it. */
export interface StoreInspection {
  schemaVersion: number;
  supportedSchemaVersion: number;
  /** `PRAGMA integrity_check` lines; `['ok']` when healthy. */
  integrity: string[];
  /** Null when the schema is not the one this clawkeep reads. */
  profiles: Profile[] | null;
}

/**
 * Opens a clawkeep SQLite store read-only (no migration, no pragma changes) and inspects it.
 * Throws the driver's error (`SQLITE_NOTADB`…) when the file is not a database.
 */
export function inspectSqliteStore(path: string): StoreInspection {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    const integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map(
      (r) => r.integrity_check,
    );
    const profiles =
      schemaVersion === SCHEMA_VERSION && integrity[0] === 'ok'
        ? (db.prepare('SELECT * FROM profiles ORDER BY id').all() as ProfileRow[]).map(toProfile)
        : null;
    return { schemaVersion, supportedSchemaVersion: SCHEMA_VERSION, integrity, profiles };
  } finally {
    db.close();
  }
}
