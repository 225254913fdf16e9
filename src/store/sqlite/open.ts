import { accessSync, closeSync, constants, existsSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ClawkeepError } from '../../errors.js';
import { enforceFileMode, FILE_MODE, type PermissionFix } from '../home.js';
import { errorCodeOf, ioRuleFor, toStoreIoError } from '../io-errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

/**
 * Opens (creating if absent) a clawkeep SQLite file: WAL, busy timeout, synchronous=FULL,
 * 0600 on the file and its WAL/SHM, schema migrated. Never deletes or rewrites a file it cannot read.
 */
export function openSqlite(
  path: string,
  busyTimeoutMs: number,
  fixes: PermissionFix[] = [],
): Database.Database {
  if (!existsSync(path)) {
    // Created 0600 up front: SQLite gives its -wal/-shm files the same mode as the database.
    try {
      closeSync(openSync(path, 'a', FILE_MODE));
    } catch (err) {
      throw toStoreIoError(err, path, 'create the store');
    }
  } else if (!statSync(path).isFile()) {
    throw new ClawkeepError('store_corrupt', `${path} is not a regular file. Move it aside and run again.`, {
      details: { path },
    });
  }
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: busyTimeoutMs });
  } catch (err) {
    throw openError(path, err);
  }
  try {
    db.pragma('journal_mode = WAL');
    // FULL makes every commit (rotations above all) durable before it returns.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Freed cells are zeroed: a replaced or re-sealed token leaves no plaintext behind in the file.
    db.pragma('secure_delete = ON');
    migrate(db, path);
  } catch (err) {
    db.close();
    throw err instanceof ClawkeepError ? err : openError(path, err);
  }
  for (const p of [path, `${path}-wal`, `${path}-shm`]) enforceFileMode(p, fixes);
  return db;
}

function migrate(db: Database.Database, path: string): void {
  // Up to date: no write lock needed, so opening works while another process holds a long write.
  if ((db.pragma('user_version', { simple: true }) as number) === SCHEMA_VERSION) return;
  const run = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > SCHEMA_VERSION) {
      throw new ClawkeepError(
        'store_schema_newer',
        `${path} has schema version ${current}, newer than this clawkeep understands (${SCHEMA_VERSION}). ` +
          'A newer clawkeep wrote it; upgrade clawkeep (npm install -g clawkeep@latest). The file was not changed.',
        { details: { path, found: current, supported: SCHEMA_VERSION } },
      );
    }
    for (let v = current; v < SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
  });
  // Two processes opening a fresh file at once: IMMEDIATE serialises them; the second sees the new version.
  run.immediate();
}

function writeProblem(dir: string): ClawkeepError | null {
  try {
    accessSync(dir, constants.W_OK);
    return null;
  } catch (err) {
    const io = toStoreIoError(err, dir, 'write to', dir);
    return io instanceof ClawkeepError ? io : null;
  }
}

function openError(path: string, err: unknown): ClawkeepError {
  const code = (err as { code?: string }).code;
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new ClawkeepError(
      'store_corrupt',
      `${path} is not a readable SQLite database (${(err as Error).message}). clawkeep left it untouched. ` +
        `Fix: move it aside (mv ${path} ${path}.broken) and restore a backup or re-import, then run again.`,
      { cause: err, details: { path, sqlite: code } },
    );
  }
  if (ioRuleFor(errorCodeOf(err))) return toStoreIoError(err, path, 'open the store') as ClawkeepError;
  if (code === 'SQLITE_CANTOPEN') {
    // Often the folder, not the file: a read-only file system or a home this user cannot write.
    const dirProblem = writeProblem(dirname(path));
    if (dirProblem) return dirProblem;
    return new ClawkeepError(
      'home_unusable',
      `cannot open ${path} for reading and writing (${(err as Error).message}). Fix: chmod 600 ${path} and make sure this user owns it, or pass --home DIR.`,
      { cause: err, details: { path, sqlite: code } },
    );
  }
  return new ClawkeepError('store_corrupt', `cannot open ${path}: ${(err as Error).message}`, {
    cause: err,
    details: { path, sqlite: code },
  });
}
