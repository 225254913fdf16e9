import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type pg from 'pg';
import { isClawkeepError } from '../errors.js';
import { findKey, type KeyLookup } from './crypto/key-store.js';
import { describeLocation, type StoreLocation } from './location.js';
import { clientConfig } from './postgres/connection.js';
import { loadPg } from './postgres/driver.js';
import { classifyPgError } from './postgres/errors.js';
import { PG_SCHEMA_VERSION } from './postgres/migrations.js';
import { inspectSqliteStore } from './sqlite/inspect.js';
import { SCHEMA_VERSION } from './sqlite/migrations.js';

export interface LeaseHealth {
  /** Leases a live rotation holds right now. */
  held: number;
  /** Leases whose time ran out without being released: a holder died; the next caller takes over. */
  expired: number;
  /** Longest time left on a held lease, ms. */
  longestRemainingMs: number | null;
}

/** `clawkeep store status`: backend, location, connection, schema, lease table health. Read-only. */
export interface StoreStatus {
  backend: 'sqlite' | 'postgres';
  location: string;
  source: string;
  connection:
    | { ok: true; server: string; latencyMs: number; notify: boolean | null }
    | { ok: false; code: string; message: string };
  schema: { version: number; supported: number } | null;
  profiles: number | null;
  leases: LeaseHealth | null;
  /** Encryption at rest: the key the tokens are sealed with and whether this host holds it; null when off or unknown. */
  encryption: { keyId: string; keyAvailable: boolean } | null;
}

/** Inspects a store without changing it (no migration, no file creation). */
export async function readStoreStatus(location: StoreLocation, keys: KeyLookup): Promise<StoreStatus> {
  const s = location.kind === 'postgres' ? await postgresStatus(location) : sqliteStatus(location);
  const keyId = s.encryption?.keyId;
  return keyId ? { ...s, encryption: { keyId, keyAvailable: findKey(keys, keyId) !== null } } : s;
}

function sqliteStatus(l: StoreLocation & { kind: 'sqlite' }): StoreStatus {
  const base = { backend: 'sqlite' as const, location: l.path, source: l.source };
  if (!existsSync(l.path)) {
    return {
      ...base,
      connection: { ok: false, code: 'store_missing', message: `no store file yet at ${l.path}` },
      schema: null,
      profiles: null,
      leases: null,
      encryption: null,
    };
  }
  const started = Date.now();
  try {
    const i = inspectSqliteStore(l.path);
    const now = Date.now();
    return {
      ...base,
      connection: {
        ok: true,
        server: `SQLite (integrity ${i.integrity.join('; ')})`,
        latencyMs: now - started,
        notify: null,
      },
      schema: { version: i.schemaVersion, supported: SCHEMA_VERSION },
      profiles: i.profiles?.length ?? null,
      leases: i.profiles
        ? leaseHealth(
            i.profiles.map((p) => ({ owner: p.leaseOwner, until: p.leaseUntil })),
            now,
          )
        : null,
      encryption: i.tokenKey ? { keyId: i.tokenKey, keyAvailable: false } : null,
    };
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'store_corrupt';
    return {
      ...base,
      connection: { ok: false, code, message: (err as Error).message },
      schema: null,
      profiles: null,
      leases: null,
      encryption: null,
    };
  }
}

async function postgresStatus(l: StoreLocation & { kind: 'postgres' }): Promise<StoreStatus> {
  const where = describeLocation(l);
  const base = { backend: 'postgres' as const, location: where, source: l.source };
  const client = new (loadPg().Client)(clientConfig({ url: l.url, passwordFile: l.passwordFile }));
  client.on('error', () => {});
  const started = Date.now();
  try {
    await client.connect();
    const info = await client.query<{ v: string; ro: string; now: string; has: boolean }>(
      `SELECT current_setting('server_version') AS v, current_setting('transaction_read_only') AS ro,
         (extract(epoch from now()) * 1000)::bigint AS now, to_regclass('clawkeep_schema') IS NOT NULL AS has`,
    );
    const latencyMs = Date.now() - started;
    const row = info.rows[0]!;
    const notify = await roundTrip(client);
    const server = `PostgreSQL ${row.v}${row.ro === 'on' ? ' (read-only: clawkeep cannot rotate here)' : ''}`;
    if (!row.has) {
      return {
        ...base,
        connection: { ok: true, server, latencyMs, notify },
        schema: { version: 0, supported: PG_SCHEMA_VERSION },
        profiles: null,
        leases: null,
        encryption: null,
      };
    }
    const version = (
      await client.query<{ v: number }>('SELECT COALESCE(MAX(version), 0)::int AS v FROM clawkeep_schema')
    ).rows[0]!.v;
    let profiles: number | null = null;
    let leases: LeaseHealth | null = null;
    let encryption: StoreStatus['encryption'] = null;
    const hasSettings = (
      await client.query<{ has: boolean }>("SELECT to_regclass('settings') IS NOT NULL AS has")
    ).rows[0]!.has;
    if (hasSettings) {
      const key = await client.query<{ value: string }>("SELECT value FROM settings WHERE key = 'token_key'");
      const keyId = key.rows[0]?.value;
      if (keyId) encryption = { keyId, keyAvailable: false };
    }
    if (version >= 1) {
      const rows = (
        await client.query<{ lease_owner: string | null; lease_until: string | null }>(
          'SELECT lease_owner, lease_until FROM profiles',
        )
      ).rows;
      profiles = rows.length;
      leases = leaseHealth(
        rows.map((r) => ({
          owner: r.lease_owner,
          until: r.lease_until === null ? null : Number(r.lease_until),
        })),
        Number(row.now),
      );
    }
    return {
      ...base,
      connection: { ok: true, server, latencyMs, notify },
      schema: { version, supported: PG_SCHEMA_VERSION },
      profiles,
      leases,
      encryption,
    };
  } catch (err) {
    const e = classifyPgError(err, where);
    const code = isClawkeepError(e) ? e.code : 'store_unreachable';
    return {
      ...base,
      connection: { ok: false, code, message: (e as Error).message },
      schema: null,
      profiles: null,
      leases: null,
      encryption: null,
    };
  } finally {
    await client.end().catch(() => {});
  }
}

/** LISTEN/NOTIFY works end to end on this connection (what wakes waiters across hosts). */
async function roundTrip(client: pg.Client): Promise<boolean> {
  const channel = `clawkeep_probe_${randomBytes(4).toString('hex')}`;
  await client.query(`LISTEN ${channel}`);
  const heard = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 2000);
    client.on('notification', (m) => {
      if (m.channel === channel) {
        clearTimeout(timer);
        resolve(true);
      }
    });
  });
  await client.query(`NOTIFY ${channel}`);
  const ok = await heard;
  await client.query(`UNLISTEN ${channel}`);
  return ok;
}

export function leaseHealth(
  rows: Array<{ owner: string | null; until: number | null }>,
  now: number,
): LeaseHealth {
  let held = 0;
  let expired = 0;
  let longest: number | null = null;
  for (const r of rows) {
    if (r.owner === null) continue;
    const left = (r.until ?? 0) - now;
    if (left > 0) {
      held++;
      longest = Math.max(longest ?? 0, left);
    } else expired++;
  }
  return { held, expired, longestRemainingMs: longest };
}
