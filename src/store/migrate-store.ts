import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { ClawkeepError } from '../errors.js';
import { describeLocation, type StoreLocation } from './location.js';
import { PostgresStore } from './postgres/pg-store.js';
import {
  digest,
  readPostgresClient,
  readPostgresSnapshot,
  readSqliteHandle,
  readSqliteSnapshot,
  type SnapshotDigest,
  type StoreSnapshot,
} from './snapshot.js';
import { openSqlite } from './sqlite/open.js';

export interface MigrateResult {
  from: string;
  to: string;
  digest: SnapshotDigest;
}

/**
 * Copies a whole store (profiles with their generations and status, events, linked sources, clients,
 * quota readings, usage, and the key id sealed tokens need) into an empty store of the other backend, in one transaction that verifies counts and token
 * fingerprints before it commits. The source is only read. Leases are not copied: they belong to
 * processes of the old store.
 */
export async function migrateStore(from: StoreLocation, to: StoreLocation): Promise<MigrateResult> {
  if (from.kind === to.kind) {
    throw new ClawkeepError(
      'usage',
      `store migrate copies between SQLite and PostgreSQL; both ${describeLocation(from)} and ${describeLocation(to)} are ${from.kind}`,
    );
  }
  const snapshot = await readSnapshot(from);
  const want = digest(snapshot);
  if (to.kind === 'postgres') await writePostgres(to, snapshot, want);
  else writeSqlite(to.path, snapshot, want);
  return { from: describeLocation(from), to: describeLocation(to), digest: want };
}

async function readSnapshot(from: StoreLocation): Promise<StoreSnapshot> {
  if (from.kind === 'sqlite') {
    if (!existsSync(from.path)) {
      throw new ClawkeepError('usage', `no SQLite store at ${from.path} (${from.source}); nothing to copy`, {
        details: { path: from.path },
      });
    }
    return readSqliteSnapshot(from.path);
  }
  const store = new PostgresStore({ url: from.url, passwordFile: from.passwordFile });
  try {
    return await readPostgresSnapshot(store);
  } finally {
    await store.close();
  }
}

function notEmpty(where: string, found: SnapshotDigest['counts']): ClawkeepError {
  return new ClawkeepError(
    'usage',
    `the target store ${where} is not empty (${found.profiles} profile(s), ${found.clients} client(s), ${found.events} event(s)); ` +
      'store migrate only copies into an empty store and never overwrites. Use a new database or file.',
    { details: { target: where, ...found } },
  );
}

function verify(where: string, want: SnapshotDigest, got: SnapshotDigest): void {
  if (isDeepStrictEqual(want, got)) return;
  throw new ClawkeepError(
    'store_corrupt',
    `the copy in ${where} does not match the source (counts or token fingerprints differ); nothing was committed`,
    { details: { target: where, want: want.counts, got: got.counts } },
  );
}

async function writePostgres(
  to: StoreLocation & { kind: 'postgres' },
  s: StoreSnapshot,
  want: SnapshotDigest,
) {
  const store = new PostgresStore({ url: to.url, passwordFile: to.passwordFile });
  const where = store.location;
  try {
    await store.transaction(async (c) => {
      // No other writer may slip in between the emptiness check and the commit.
      await c.query('LOCK TABLE profiles, events, linked_sources, clients, quotas, usage IN EXCLUSIVE MODE');
      const before = digest(await readPostgresClient(c));
      if (Object.values(before.counts).some((n) => n > 0)) throw notEmpty(where, before.counts);
      for (const p of s.profiles) {
        await c.query(
          `INSERT INTO profiles (id, provider, name, type, account_id, email, access, refresh, expires, issued_at,
             generation, status, status_reason, status_at, lease_owner, lease_until, created_at, updated_at, rotated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, NULL, $15, $16, $17)`,
          [
            p.id,
            p.provider,
            p.name,
            p.type,
            p.accountId,
            p.email,
            p.access,
            p.refresh,
            p.expires,
            p.issuedAt,
            p.generation,
            p.status,
            p.statusReason,
            p.statusAt,
            p.createdAt,
            p.updatedAt,
            p.rotatedAt,
          ],
        );
      }
      for (const e of s.events) {
        await c.query(
          'INSERT INTO events (seq, at, profile_id, kind, data) VALUES ($1, $2, $3, $4, $5::jsonb)',
          [e.seq, e.at, e.profileId, e.kind, JSON.stringify(e.data)],
        );
      }
      await c.query(
        `SELECT setval(pg_get_serial_sequence('events', 'seq'), GREATEST((SELECT MAX(seq) FROM events), 1))`,
      );
      await c.query("UPDATE settings SET value = $1 WHERE key = 'token_key'", [s.tokenKey ?? '']);
      for (const q of s.quotas) {
        await c.query('INSERT INTO quotas (profile_id, data, updated_at) VALUES ($1, $2, $3)', [
          q.profileId,
          q.data,
          q.updatedAt,
        ]);
      }
      for (const u of s.usage) {
        await c.query(
          'INSERT INTO usage (minute, client, model, requests, tokens_in, tokens_out) VALUES ($1, $2, $3, $4, $5, $6)',
          [u.minute, u.client, u.model, u.requests, u.tokensIn, u.tokensOut],
        );
      }
      for (const l of s.linkedSources) {
        await c.query(
          'INSERT INTO linked_sources (profile_id, kind, location, added_at) VALUES ($1, $2, $3, $4)',
          [l.profileId, l.kind, l.location, l.addedAt],
        );
      }
      for (const cl of s.clients) {
        await c.query(
          `INSERT INTO clients (name, key_hash, key_prefix, chain, kind, subscription_opt_in, created_at, last_used_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            cl.name,
            cl.keyHash,
            cl.keyPrefix,
            cl.chain,
            cl.kind,
            cl.subscriptionOptIn,
            cl.createdAt,
            cl.lastUsedAt,
          ],
        );
      }
      verify(where, want, digest(await readPostgresClient(c)));
    });
  } finally {
    await store.close();
  }
}

function writeSqlite(path: string, s: StoreSnapshot, want: SnapshotDigest): void {
  const db = openSqlite(path, 10_000);
  try {
    db.transaction(() => {
      const before = digest(readSqliteHandle(db));
      if (Object.values(before.counts).some((n) => n > 0)) throw notEmpty(path, before.counts);
      const insProfile = db.prepare(
        `INSERT INTO profiles (id, provider, name, type, account_id, email, access, refresh, expires, issued_at,
           generation, status, status_reason, status_at, lease_owner, lease_until, created_at, updated_at, rotated_at)
         VALUES (@id, @provider, @name, @type, @accountId, @email, @access, @refresh, @expires, @issuedAt,
           @generation, @status, @statusReason, @statusAt, NULL, NULL, @createdAt, @updatedAt, @rotatedAt)`,
      );
      for (const p of s.profiles) insProfile.run(p);
      const insEvent = db.prepare(
        'INSERT INTO events (seq, at, profile_id, kind, data) VALUES (?, ?, ?, ?, ?)',
      );
      for (const e of s.events) insEvent.run(e.seq, e.at, e.profileId, e.kind, JSON.stringify(e.data));
      const insLinked = db.prepare(
        'INSERT INTO linked_sources (profile_id, kind, location, added_at) VALUES (?, ?, ?, ?)',
      );
      for (const l of s.linkedSources) insLinked.run(l.profileId, l.kind, l.location, l.addedAt);
      const insClient = db.prepare(
        `INSERT INTO clients (name, key_hash, key_prefix, chain, kind, subscription_opt_in, created_at, last_used_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const c of s.clients) {
        const optIn = c.subscriptionOptIn ? 1 : 0;
        insClient.run(c.name, c.keyHash, c.keyPrefix, c.chain, c.kind, optIn, c.createdAt, c.lastUsedAt);
      }
      db.prepare("UPDATE settings SET value = ? WHERE key = 'token_key'").run(s.tokenKey ?? '');
      const insQuota = db.prepare('INSERT INTO quotas (profile_id, data, updated_at) VALUES (?, ?, ?)');
      for (const q of s.quotas) insQuota.run(q.profileId, q.data, q.updatedAt);
      const insUsage = db.prepare(
        'INSERT INTO usage (minute, client, model, requests, tokens_in, tokens_out) VALUES (@minute, @client, @model, @requests, @tokensIn, @tokensOut)',
      );
      for (const u of s.usage) insUsage.run(u);
      verify(path, want, digest(readSqliteHandle(db)));
    }).immediate();
  } finally {
    db.close();
  }
}
