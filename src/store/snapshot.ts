import Database from 'better-sqlite3';
import type pg from 'pg';
import { fingerprint } from '../util/fingerprint.js';
import type { PostgresStore } from './postgres/pg-store.js';
import { type ClientRow, type EventRow, type ProfileRow, toClient, toEvent, toProfile } from './row.js';
import type { ClientRecord, LinkedSourceRef, Profile, QuotaRow, StoreEvent, UsageRow } from './types.js';

/** Everything a store holds, read in one consistent view. */
export interface StoreSnapshot {
  profiles: Profile[];
  events: StoreEvent[];
  linkedSources: LinkedSourceRef[];
  clients: ClientRecord[];
  /** Last quota reading per login and per-minute usage: not credentials, but the user's history. */
  quotas: QuotaRow[];
  usage: UsageRow[];
  /** The key id the token columns are sealed with (copied as is: sealed values move between backends). */
  tokenKey: string | null;
}

/** What `store migrate` compares between source and target: counts and per-profile token fingerprints. */
export interface SnapshotDigest {
  counts: {
    profiles: number;
    events: number;
    linkedSources: number;
    clients: number;
    quotas: number;
    usage: number;
  };
  profiles: Array<{ id: string; generation: number; status: string; accessFp: string; refreshFp: string }>;
  clients: string[];
  tokenKey: string | null;
}

export function digest(s: StoreSnapshot): SnapshotDigest {
  return {
    counts: {
      profiles: s.profiles.length,
      events: s.events.length,
      linkedSources: s.linkedSources.length,
      clients: s.clients.length,
      quotas: s.quotas.length,
      usage: s.usage.length,
    },
    profiles: s.profiles.map((p) => ({
      id: p.id,
      generation: p.generation,
      status: p.status,
      accessFp: fingerprint(p.access),
      refreshFp: fingerprint(p.refresh),
    })),
    clients: s.clients.map((c) => `${c.name}:${c.keyHash}`),
    tokenKey: s.tokenKey,
  };
}

type LinkedRow = { profile_id: string; kind: string; location: string; added_at: number | string };
const toLinked = (r: LinkedRow): LinkedSourceRef => ({
  profileId: r.profile_id,
  kind: r.kind,
  location: r.location,
  addedAt: Number(r.added_at),
});

/** Reads a SQLite store file read-only (never migrates or changes it). */
export function readSqliteSnapshot(path: string): StoreSnapshot {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    return db.transaction(() => readAll((sql) => db.prepare(sql).all() as never[]))();
  } finally {
    db.close();
  }
}

/** Reads a SQLite store through an open read-write handle (the target of a copy, inside its transaction). */
export function readSqliteHandle(db: Database.Database): StoreSnapshot {
  return readAll((sql) => db.prepare(sql).all() as never[]);
}

/** Reads a PostgreSQL store in one REPEATABLE READ transaction. */
export async function readPostgresSnapshot(store: PostgresStore): Promise<StoreSnapshot> {
  return store.transaction(async (c) => {
    await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    return readPostgresClient(c);
  });
}

/** Reads a PostgreSQL store on a connection, inside the caller's transaction. */
export async function readPostgresClient(c: pg.ClientBase): Promise<StoreSnapshot> {
  const rows = async <T>(sql: string): Promise<T[]> => (await c.query(sql)).rows as T[];
  return {
    tokenKey: (await rows<{ value: string }>(SQL.tokenKey))[0]?.value || null,
    profiles: (await rows<ProfileRow>(SQL.profiles)).map((r) => toProfile(r)),
    events: (await rows<EventRow>(SQL.events)).map(toEvent),
    linkedSources: (await rows<LinkedRow>(SQL.linked)).map(toLinked),
    clients: (await rows<ClientRow>(SQL.clients)).map(toClient),
    quotas: (await rows<QuotaDbRow>(SQL.quotas)).map(toQuota),
    usage: (await rows<UsageDbRow>(SQL.usage)).map(toUsage),
  };
}

const SQL = {
  profiles: 'SELECT * FROM profiles ORDER BY id',
  events: 'SELECT * FROM events ORDER BY seq',
  linked:
    'SELECT profile_id, kind, location, added_at FROM linked_sources ORDER BY profile_id, kind, location',
  clients: 'SELECT * FROM clients ORDER BY name',
  tokenKey: "SELECT value FROM settings WHERE key = 'token_key'",
  quotas: 'SELECT * FROM quotas ORDER BY profile_id',
  usage: 'SELECT * FROM usage ORDER BY minute, client, model',
};

type QuotaDbRow = { profile_id: string; data: string; updated_at: number | string };
const toQuota = (r: QuotaDbRow): QuotaRow => ({
  profileId: r.profile_id,
  data: r.data,
  updatedAt: Number(r.updated_at),
});
type UsageDbRow = {
  minute: number | string;
  client: string;
  model: string;
  requests: number | string;
  tokens_in: number | string;
  tokens_out: number | string;
};
const toUsage = (r: UsageDbRow): UsageRow => ({
  minute: Number(r.minute),
  client: r.client,
  model: r.model,
  requests: Number(r.requests),
  tokensIn: Number(r.tokens_in),
  tokensOut: Number(r.tokens_out),
});

/** Rows of a table a store older than it does not have yet (an old schema read without migrating). */
function optional<T>(read: () => T[]): T[] {
  try {
    return read();
  } catch {
    return [];
  }
}

function readAll(all: (sql: string) => never[]): StoreSnapshot {
  let tokenKey: string | null = null;
  try {
    tokenKey = (all(SQL.tokenKey) as Array<{ value: string }>)[0]?.value || null;
  } catch {
    // A store older than encryption (schema < 5) has no settings table: its tokens are plaintext.
  }
  return {
    tokenKey,
    profiles: (all(SQL.profiles) as ProfileRow[]).map((r) => toProfile(r)),
    events: (all(SQL.events) as EventRow[]).map(toEvent),
    linkedSources: (all(SQL.linked) as LinkedRow[]).map(toLinked),
    clients: (all(SQL.clients) as ClientRow[]).map(toClient),
    quotas: optional(() => all(SQL.quotas) as QuotaDbRow[]).map(toQuota),
    usage: optional(() => all(SQL.usage) as UsageDbRow[]).map(toUsage),
  };
}
