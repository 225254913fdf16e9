import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Opens a home's store file directly, for assertions and for simulating elapsed time. */
export function rawDb(home: string): Database.Database {
  const db = new Database(join(home, 'clawkeep.sqlite'), { timeout: 10_000 });
  db.pragma('journal_mode = WAL');
  return db;
}

/**
 * Simulates time passing: moves the stored access token 1 s from expiry, deep inside its refresh
 * window (a 1 h token's window is 5 min). Every process sees it and must refresh.
 */
export function ageProfile(home: string, id: string, now = Date.now()): void {
  const db = rawDb(home);
  try {
    db.prepare('UPDATE profiles SET expires = ?, issued_at = ? WHERE id = ?').run(
      now + 1000,
      now - 3_600_000,
      id,
    );
  } finally {
    db.close();
  }
}

export function readRow(home: string, id: string): Record<string, unknown> | undefined {
  const db = rawDb(home);
  try {
    return db.prepare('SELECT * FROM profiles WHERE id = ?').get(id) as Record<string, unknown> | undefined;
  } finally {
    db.close();
  }
}

export function integrityCheck(home: string): string {
  const db = rawDb(home);
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

/** The token columns of a SQLite store's row exactly as the file keeps them (sealed or plain). */
export function readSqliteTokens(
  path: string,
  id: string,
): { access: string | null; refresh: string | null } {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT access, refresh FROM profiles WHERE id = ?').get(id) as {
      access: string | null;
      refresh: string | null;
    };
  } finally {
    db.close();
  }
}
