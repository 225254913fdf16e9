import type pg from 'pg';
import { ClawkeepError } from '../../errors.js';

/**
 * Versioned schema steps for PostgreSQL; index + 1 is the version recorded in `clawkeep_schema`.
 * Append only: never edit a released step. Times are epoch ms (BIGINT), as on SQLite.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE profiles (
    id            TEXT PRIMARY KEY,
    provider      TEXT NOT NULL,
    name          TEXT NOT NULL,
    type          TEXT NOT NULL CHECK (type IN ('oauth', 'api_key', 'token')),
    account_id    TEXT,
    email         TEXT,
    access        TEXT,
    refresh       TEXT,
    expires       BIGINT,
    issued_at     BIGINT,
    generation    BIGINT NOT NULL DEFAULT 0,
    status        TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'needs_reauth', 'disabled')),
    status_reason TEXT,
    status_at     BIGINT,
    lease_owner   TEXT,
    lease_until   BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    rotated_at    BIGINT
  );
  CREATE INDEX profiles_account ON profiles (provider, account_id);
  CREATE TABLE events (
    seq        BIGSERIAL PRIMARY KEY,
    at         BIGINT NOT NULL,
    profile_id TEXT,
    kind       TEXT NOT NULL,
    data       JSONB NOT NULL DEFAULT '{}'
  );
  CREATE INDEX events_profile ON events (profile_id, seq);
  CREATE FUNCTION clawkeep_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'events are append-only'; END $$;
  CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION clawkeep_events_append_only();
  CREATE TABLE linked_sources (
    profile_id TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    location   TEXT NOT NULL,
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (profile_id, kind, location)
  );
  CREATE TABLE clients (
    name         TEXT PRIMARY KEY,
    key_hash     TEXT NOT NULL UNIQUE,
    key_prefix   TEXT NOT NULL,
    chain        TEXT,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
  );
  `,
  `
  CREATE TABLE quotas (
    profile_id TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE TABLE usage (
    minute     BIGINT NOT NULL,
    client     TEXT NOT NULL,
    model      TEXT NOT NULL,
    requests   BIGINT NOT NULL DEFAULT 0,
    tokens_in  BIGINT NOT NULL DEFAULT 0,
    tokens_out BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (minute, client, model)
  );
  `,
  `
  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  INSERT INTO settings (key, value) VALUES ('token_key', '');
  `,
  // The serving policy (as SQLite's migration 8): the agent holding a key, and the subscription opt-in.
  `
  ALTER TABLE clients ADD COLUMN kind TEXT;
  ALTER TABLE clients ADD COLUMN subscription_opt_in BOOLEAN NOT NULL DEFAULT FALSE;
  UPDATE clients SET kind = 'claude-code' WHERE name = 'claude-code' OR name ~ '^claude-code-[0-9]+$';
  `,
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/** Any constant both processes agree on: the advisory lock every clawkeep migrator takes. */
export const MIGRATION_LOCK = 0x636c_6177; // "claw"

/**
 * Brings the schema to PG_SCHEMA_VERSION in one transaction under a transaction-scoped advisory lock:
 * two hosts starting at once migrate once, the second finds the work done. A newer schema is refused
 * untouched. Returns the version found before migrating.
 */
export async function migratePostgres(client: pg.ClientBase, where: string): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS clawkeep_schema (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const found = await readSchemaVersion(client);
    if (found > PG_SCHEMA_VERSION) {
      throw new ClawkeepError(
        'store_schema_newer',
        `the PostgreSQL store at ${where} has schema version ${found}, newer than this clawkeep understands (${PG_SCHEMA_VERSION}). ` +
          'A newer clawkeep wrote it; upgrade clawkeep on this host (npm install -g clawkeep@latest). Nothing was changed.',
        { details: { store: where, found, supported: PG_SCHEMA_VERSION } },
      );
    }
    for (let v = found; v < PG_SCHEMA_VERSION; v++) {
      await client.query(PG_MIGRATIONS[v]!);
      await client.query('INSERT INTO clawkeep_schema (version) VALUES ($1)', [v + 1]);
    }
    await client.query('COMMIT');
    return found;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

export async function readSchemaVersion(client: pg.ClientBase): Promise<number> {
  const r = await client.query<{ v: number }>(
    'SELECT COALESCE(MAX(version), 0)::int AS v FROM clawkeep_schema',
  );
  return r.rows[0]!.v;
}
