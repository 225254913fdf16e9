import { lstatSync } from 'node:fs';
import Database from 'better-sqlite3';
import { malformedField, parseProfileRecord } from './profile.js';
import type { FileProblem, OpenClawProfile, ReadResult, StoreRef } from './types.js';

type SqliteRef = StoreRef & { kind: 'agent-sqlite' | 'shared-sqlite' };

/** The row holding the credential document, per store kind (OpenClaw's own table and key names). */
const LAYOUT = {
  'agent-sqlite': {
    table: 'auth_profile_store',
    select: `SELECT store_json AS json, updated_at AS updatedAt FROM auth_profile_store WHERE store_key = 'primary'`,
    stateTable: 'auth_profile_state',
    state: `SELECT state_json AS json FROM auth_profile_state WHERE state_key = 'primary'`,
    upsert: `INSERT INTO auth_profile_store (store_key, store_json, updated_at) VALUES ('primary', ?, ?)
             ON CONFLICT (store_key) DO UPDATE SET store_json = excluded.store_json, updated_at = excluded.updated_at`,
  },
  'shared-sqlite': {
    table: 'config_machine_state',
    select: `SELECT value_json AS json, updated_at_ms AS updatedAt FROM config_machine_state
             WHERE state_key = 'authProfiles.store'`,
    stateTable: 'config_machine_state',
    state: `SELECT value_json AS json FROM config_machine_state WHERE state_key = 'authProfiles.state'`,
    upsert: `INSERT INTO config_machine_state (state_key, value_json, updated_at_ms) VALUES ('authProfiles.store', ?, ?)
             ON CONFLICT (state_key) DO UPDATE SET value_json = excluded.value_json, updated_at_ms = excluded.updated_at_ms`,
  },
} as const;

interface DocRow {
  json: string;
  updatedAt: number;
}

/** Opens an OpenClaw SQLite file, or says why it cannot be used. Never creates one. */
export function openOpenClawDb(
  path: string,
  readonly: boolean,
): { ok: true; db: Database.Database } | { ok: false; problem: FileProblem } {
  try {
    if (!lstatSync(path).isFile()) {
      return { ok: false, problem: { path, code: 'not_regular', message: `${path} is not a regular file` } };
    }
    const db = new Database(path, { readonly, fileMustExist: true, timeout: 5000 });
    try {
      // Reading the schema is the cheapest query that proves the file is a database.
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (err) {
      db.close();
      throw err;
    }
    return { ok: true, db };
  } catch (err) {
    const code = (err as { code?: string }).code;
    const notDb = code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT';
    return {
      ok: false,
      problem: {
        path,
        code: notDb ? 'not_sqlite' : 'unreadable',
        message: notDb
          ? `${path} is not a SQLite database (${(err as Error).message})`
          : `cannot open ${path}: ${(err as Error).message}`,
      },
    };
  }
}

/** True when the file is a database holding that store's table (used for era detection). */
export function hasTable(db: Database.Database, table: string): boolean {
  return Boolean(db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table));
}

/** True when a shared state DB has opted into the shared auth store (≥ 2026.8). */
export function hasSharedAuthStore(db: Database.Database): boolean {
  if (!hasTable(db, 'config_machine_state')) return false;
  return Boolean(
    db
      .prepare(
        `SELECT 1 FROM config_machine_state WHERE state_key IN ('authProfiles.store', 'auth.sharedStore') LIMIT 1`,
      )
      .get(),
  );
}

function readDoc(
  db: Database.Database,
  store: SqliteRef,
): { doc: Record<string, unknown> | null; updatedAt: number | null } | FileProblem {
  const layout = LAYOUT[store.kind];
  if (!hasTable(db, layout.table)) {
    return { path: store.path, code: 'sqlite_schema', message: `${store.path} has no ${layout.table} table` };
  }
  const row = db.prepare(layout.select).get() as DocRow | undefined;
  if (!row) return { doc: null, updatedAt: null };
  let doc: unknown;
  try {
    doc = JSON.parse(row.json);
  } catch {
    return {
      path: store.path,
      code: 'invalid_json',
      message: `${store.path}: ${layout.table} holds invalid JSON`,
    };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    return {
      path: store.path,
      code: 'wrong_shape',
      message: `${store.path}: ${layout.table} is not an object`,
    };
  }
  const profiles = (doc as Record<string, unknown>).profiles;
  if (profiles !== undefined && (!profiles || typeof profiles !== 'object' || Array.isArray(profiles))) {
    return { path: store.path, code: 'wrong_shape', message: `${store.path}: "profiles" is not an object` };
  }
  for (const [id, raw] of Object.entries((profiles as Record<string, unknown> | undefined) ?? {})) {
    const bad =
      raw && typeof raw === 'object' && !Array.isArray(raw)
        ? malformedField(raw as Record<string, unknown>)
        : null;
    if (bad) {
      return {
        path: store.path,
        code: 'wrong_shape',
        message: `${store.path}: ${layout.table}: profiles.${id}.${bad}`,
      };
    }
  }
  return { doc: doc as Record<string, unknown>, updatedAt: Number(row.updatedAt) || null };
}

function profilesOf(doc: Record<string, unknown> | null): OpenClawProfile[] {
  const out: OpenClawProfile[] = [];
  for (const [id, raw] of Object.entries((doc?.profiles as Record<string, unknown> | undefined) ?? {})) {
    const p = parseProfileRecord(id, raw);
    if (p) out.push(p);
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The state document (order, lastGood, usageStats) beside the credentials; null when absent or unreadable. */
function readState(db: Database.Database, store: SqliteRef): Record<string, unknown> | null {
  const layout = LAYOUT[store.kind];
  if (!hasTable(db, layout.stateTable)) return null;
  const row = db.prepare(layout.state).get() as { json: string } | undefined;
  if (!row) return null;
  try {
    const doc = JSON.parse(row.json) as unknown;
    return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Reads a SQLite store's profiles, and both documents as stored, in one open of the file. */
export function readSqliteStore(store: SqliteRef): ReadResult {
  const opened = openOpenClawDb(store.path, true);
  if (!opened.ok) return opened;
  try {
    const r = readDoc(opened.db, store);
    if ('code' in r) return { ok: false, problem: r };
    const documents = r.doc ? { store: r.doc, state: readState(opened.db, store) } : null;
    return {
      ok: true,
      contents: { store, profiles: profilesOf(r.doc), updatedAt: r.updatedAt, documents },
    };
  } catch (err) {
    return {
      ok: false,
      problem: {
        path: store.path,
        code: 'unreadable',
        message: `cannot read ${store.path}: ${(err as Error).message}`,
      },
    };
  } finally {
    opened.db.close();
  }
}

/**
 * Read-modify-write of the credential document in one IMMEDIATE transaction (so a concurrent
 * OpenClaw write is never lost), durable (synchronous=FULL) before it returns.
 * `update` gets the current document and returns the next one, or null to leave it alone.
 * Returns whether it wrote, and the profiles read back after the commit (same open: no second
 * schema load per store), for the caller's verification.
 */
export function updateSqliteDocument(
  store: SqliteRef,
  now: number,
  update: (doc: Record<string, unknown>) => Record<string, unknown> | null,
): { written: boolean; after: OpenClawProfile[] | null } {
  const opened = openOpenClawDb(store.path, false);
  if (!opened.ok) throw new Error(opened.problem.message);
  const db = opened.db;
  try {
    db.pragma('synchronous = FULL');
    const written = db
      .transaction(() => {
        const r = readDoc(db, store);
        if ('code' in r) throw new Error(r.message);
        const next = update(r.doc ?? { version: 1, profiles: {} });
        if (!next) return false;
        db.prepare(LAYOUT[store.kind].upsert).run(JSON.stringify(next), now);
        return true;
      })
      .immediate();
    if (!written) return { written, after: null };
    const back = readDoc(db, store);
    return { written, after: 'code' in back ? null : profilesOf(back.doc) };
  } finally {
    db.close();
  }
}
