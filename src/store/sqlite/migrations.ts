/**
 * Versioned schema steps; index + 1 is the `PRAGMA user_version` after the step.
 * Append only: never edit a released step.
 */
export const MIGRATIONS: readonly string[] = [
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
    expires       INTEGER,
    issued_at     INTEGER,
    generation    INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'needs_reauth', 'disabled')),
    status_reason TEXT,
    status_at     INTEGER,
    lease_owner   TEXT,
    lease_until   INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    rotated_at    INTEGER
  ) STRICT;
  CREATE INDEX profiles_account ON profiles (provider, account_id);
  CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    profile_id TEXT,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}'
  ) STRICT;
  CREATE INDEX events_profile ON events (profile_id, seq);
  CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  `,
  `
  CREATE TABLE linked_sources (
    profile_id TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    location   TEXT NOT NULL,
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (profile_id, kind, location)
  ) STRICT;
  `,
  `
  CREATE TABLE clients (
    name         TEXT PRIMARY KEY,
    key_hash     TEXT NOT NULL UNIQUE,
    key_prefix   TEXT NOT NULL,
    chain        TEXT,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
  ) STRICT;
  `,
  `
  CREATE TABLE quotas (
    profile_id TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE usage (
    minute     INTEGER NOT NULL,
    client     TEXT NOT NULL,
    model      TEXT NOT NULL,
    requests   INTEGER NOT NULL DEFAULT 0,
    tokens_in  INTEGER NOT NULL DEFAULT 0,
    tokens_out INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (minute, client, model)
  ) STRICT;
  `,
  `
  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  INSERT INTO settings (key, value) VALUES ('token_key', '');
  `,
  // The serving policy: which agent holds a key, and an explicit opt-in to subscription logins.
  // Keys that `connect claude-code` made before (named claude-code, claude-code-2, …) are Claude Code's.
  `
  ALTER TABLE clients ADD COLUMN kind TEXT;
  ALTER TABLE clients ADD COLUMN subscription_opt_in INTEGER NOT NULL DEFAULT 0;
  UPDATE clients SET kind = 'claude-code' WHERE name = 'claude-code' OR name GLOB 'claude-code-[0-9]*';
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
