import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** OpenClaw 2026.6.9's per-agent credential tables (from its generated schema), enough to read and write. */
const AGENT_SCHEMA = `
CREATE TABLE IF NOT EXISTS schema_meta (meta_key TEXT NOT NULL PRIMARY KEY, role TEXT NOT NULL,
  schema_version INTEGER NOT NULL, agent_id TEXT, app_version TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS auth_profile_store (store_key TEXT NOT NULL PRIMARY KEY, store_json TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS auth_profile_state (state_key TEXT NOT NULL PRIMARY KEY, state_json TEXT NOT NULL, updated_at INTEGER NOT NULL);`;

export type Record_ = Record<string, unknown>;

export function fakeJwt(iat: number, exp: number): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iat, exp })}.fake-signature`;
}

export function agentDir(state: string, agent: string): string {
  const d = join(state, 'agents', agent, 'agent');
  mkdirSync(d, { recursive: true, mode: 0o700 });
  return d;
}

export function writeJsonStore(path: string, profiles: Record<string, Record_>): void {
  writeFileSync(path, `${JSON.stringify({ version: 1, profiles }, null, 2)}\n`, { mode: 0o600 });
}

export function writeAgentSqlite(
  path: string,
  agent: string,
  profiles: Record<string, Record_>,
  updatedAt = 1_000,
): void {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(AGENT_SCHEMA);
    db.prepare(`INSERT OR REPLACE INTO schema_meta VALUES ('primary', 'agent', 1, ?, NULL, 1, 1)`).run(agent);
    db.prepare(`INSERT OR REPLACE INTO auth_profile_store VALUES ('primary', ?, ?)`).run(
      JSON.stringify({ version: 1, profiles }),
      updatedAt,
    );
    db.pragma('user_version = 1');
  } finally {
    db.close();
  }
}
