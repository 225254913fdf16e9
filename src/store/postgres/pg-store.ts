import type pg from 'pg';
import { ClawkeepError } from '../../errors.js';
import { fingerprint } from '../../util/fingerprint.js';
import type { KeyLookup } from '../crypto/key-store.js';
import { TokenCodec } from '../crypto/token-codec.js';
import { resolveHome } from '../home.js';
import { parseProfileId, profileNotFound } from '../profile-id.js';
import {
  bindProfileInput,
  type ClientRow,
  clientEventData,
  type EventRow,
  type ProfileRow,
  toClient,
  toEvent,
  toProfile,
} from '../row.js';
import type {
  ClientPolicyPatch,
  ClientRecord,
  CommitOutcome,
  EventQuery,
  LeaseClaim,
  LeaseClaimOutcome,
  LeaseRead,
  LinkedSourceRef,
  NewEvent,
  Profile,
  ProfileChange,
  ProfileInput,
  QuotaRow,
  ReauthReason,
  RotatedTokens,
  Store,
  StoreEvent,
  UsageRow,
} from '../types.js';
import { CHANGE_CHANNEL, ChangeFeed, changePayload } from './change-feed.js';
import { clientConfig, redactUrl } from './connection.js';
import { PgSession, type PgSessionOptions } from './pg-session.js';

// BIGINT comes back as a string; counts and epoch ms fit a JS number.
const DB_NOW_MS = '(extract(epoch from now()) * 1000)::bigint';

export interface PostgresStoreOptions extends PgSessionOptions {
  /** Where the token key is found (default: the clawkeep home's key files and the environment). */
  keys?: KeyLookup;
}

/**
 * The fleet backend: many hosts share one PostgreSQL. Lease times come from the database clock,
 * the lease is claimed in a short `SELECT … FOR UPDATE` transaction, commits compare-and-set on the
 * presented refresh token, and every credential change NOTIFYs so peers wake at once.
 * Connects lazily: opening never blocks; the first call connects, checks and migrates.
 */
export class PostgresStore implements Store {
  readonly location: string;
  #db: PgSession;
  #feed: ChangeFeed;
  readonly #codec: TokenCodec;
  get tokenCodec(): TokenCodec {
    return this.#codec;
  }

  constructor(options: PostgresStoreOptions) {
    this.location = redactUrl(options.url);
    this.#codec = new TokenCodec(options.keys ?? { home: resolveHome() });
    this.#db = new PgSession(options, this.location);
    this.#feed = new ChangeFeed(clientConfig(options));
  }

  /** Connects, refuses a read-only server, migrates under the advisory lock. Idempotent; retried after failure. */
  ready(): Promise<void> {
    return this.#db.ready();
  }

  async getProfile(id: string): Promise<Profile | null> {
    const r = await this.#db.query<ProfileRow>('SELECT * FROM profiles WHERE id = $1', [id]);
    return r.rows[0] ? this.#profile(r.rows[0]) : null;
  }

  async listProfiles(): Promise<Profile[]> {
    return (await this.#db.query<ProfileRow>('SELECT * FROM profiles ORDER BY id')).rows.map((r) =>
      this.#profile(r),
    );
  }

  async insertProfile(input: ProfileInput, now: number): Promise<Profile> {
    const { provider, name } = parseProfileId(input.id);
    return this.#db.transaction(async (c) => {
      const b = bindProfileInput(input, this.#codec, await tokenKey(c));
      const r = await c.query<ProfileRow>(
        `INSERT INTO profiles (id, provider, name, type, account_id, email, access, refresh, expires, issued_at,
           generation, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, 'ok', $11, $11)
         ON CONFLICT (id) DO NOTHING RETURNING *`,
        [
          input.id,
          provider,
          name,
          b.type,
          b.accountId,
          b.email,
          b.access,
          b.refresh,
          b.expires,
          b.issuedAt,
          now,
        ],
      );
      if (!r.rows[0]) {
        throw new ClawkeepError(
          'profile_exists',
          `profile ${input.id} already exists; pass --force to replace it`,
          { details: { id: input.id } },
        );
      }
      const p = this.#profile(r.rows[0]);
      await event(c, { profileId: p.id, kind: 'created', data: describe(input) }, now);
      await notify(c, p);
      return p;
    });
  }

  async replaceProfile(input: ProfileInput, now: number): Promise<Profile> {
    parseProfileId(input.id);
    return this.#db.transaction(async (c) => {
      const b = bindProfileInput(input, this.#codec, await tokenKey(c));
      const r = await c.query<ProfileRow>(
        `UPDATE profiles SET type = $2, account_id = $3, email = $4, access = $5, refresh = $6, expires = $7,
           issued_at = $8, generation = generation + 1, status = 'ok', status_reason = NULL, status_at = $9,
           lease_owner = NULL, lease_until = NULL, updated_at = $9
         WHERE id = $1 RETURNING *`,
        [input.id, b.type, b.accountId, b.email, b.access, b.refresh, b.expires, b.issuedAt, now],
      );
      if (!r.rows[0]) throw profileNotFound(input.id);
      const p = this.#profile(r.rows[0]);
      await event(
        c,
        { profileId: p.id, kind: 'replaced', data: { ...describe(input), generation: p.generation } },
        now,
      );
      await notify(c, p);
      return p;
    });
  }

  async removeProfile(id: string, now: number): Promise<Profile | null> {
    return this.#db.transaction(async (c) => {
      const r = await c.query<ProfileRow>('DELETE FROM profiles WHERE id = $1 RETURNING *', [id]);
      if (!r.rows[0]) return null;
      const p = this.#profile(r.rows[0]);
      await event(c, { profileId: id, kind: 'removed', data: { generation: p.generation } }, now);
      await c.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, changePayload(id, null)]);
      return p;
    });
  }

  async setStatus(id: string, status: 'ok' | 'disabled', now: number): Promise<Profile | null> {
    return this.#db.transaction(async (c) => {
      const r = await c.query<ProfileRow>(
        `UPDATE profiles SET status = $2, status_reason = NULL, status_at = $3, updated_at = $3
         WHERE id = $1 RETURNING *`,
        [id, status, now],
      );
      if (!r.rows[0]) return null;
      const p = this.#profile(r.rows[0]);
      await event(c, { profileId: id, kind: status === 'ok' ? 'enabled' : 'disabled' }, now);
      await notify(c, p);
      return p;
    });
  }

  async readLease(id: string, _now: number): Promise<LeaseRead | null> {
    // The database's clock judges leases: a host whose clock is off never steals a live one.
    const r = await this.#db.query<ProfileRow & { db_now: string }>(
      `SELECT *, ${DB_NOW_MS} AS db_now FROM profiles WHERE id = $1`,
      [id],
    );
    const row = r.rows[0];
    if (!row) return null;
    return { profile: this.#profile(row), now: Number(row.db_now) };
  }

  async claimLease(claim: LeaseClaim): Promise<LeaseClaimOutcome> {
    return this.#db.transaction(async (c): Promise<LeaseClaimOutcome> => {
      const { expected } = claim;
      const r = await c.query<ProfileRow>(
        `UPDATE profiles SET lease_owner = $2, lease_until = ${DB_NOW_MS} + $3
         WHERE id = $1 AND generation = $4 AND status = $5
           AND lease_owner IS NOT DISTINCT FROM $6 AND lease_until IS NOT DISTINCT FROM $7
         RETURNING *`,
        [
          claim.id,
          claim.owner,
          claim.ttlMs,
          expected.generation,
          expected.status,
          expected.leaseOwner,
          expected.leaseUntil,
        ],
      );
      const row = r.rows[0];
      if (!row) return { kind: 'changed' };
      if (claim.tookOverFrom) {
        await event(
          c,
          {
            profileId: claim.id,
            kind: 'lease_taken_over',
            data: { from: claim.tookOverFrom, to: claim.owner },
          },
          claim.now,
        );
      }
      return { kind: 'claimed', profile: this.#profile(row) };
    });
  }

  async commitRotation(id: string, presented: string, t: RotatedTokens, now: number): Promise<CommitOutcome> {
    return this.#db.durable(() => this.#writeTokens(id, presented, t, now, 'rotated', {}));
  }

  async adoptCredential(
    id: string,
    expected: string | null,
    t: RotatedTokens,
    source: string,
    now: number,
  ): Promise<CommitOutcome> {
    return this.#db.durable(() => this.#writeTokens(id, expected, t, now, 'adopted', { source }));
  }

  /** Compare-and-set of new tokens over the refresh token the caller last saw; NOTIFY on commit. */
  #writeTokens(
    id: string,
    expected: string | null,
    t: RotatedTokens,
    now: number,
    kind: 'rotated' | 'adopted',
    extra: Record<string, unknown>,
  ): Promise<CommitOutcome> {
    return this.#db.transaction(async (c): Promise<CommitOutcome> => {
      const k = await tokenKey(c);
      const r = await c.query<ProfileRow>(
        `UPDATE profiles SET access = $3, refresh = $4, expires = $5, issued_at = $6,
           account_id = COALESCE($7, account_id), email = COALESCE($8, email),
           generation = generation + 1, status = 'ok', status_reason = NULL, status_at = $9,
           lease_owner = NULL, lease_until = NULL, updated_at = $9,
           rotated_at = CASE WHEN $10 THEN $9 ELSE rotated_at END
         WHERE id = $1 AND refresh IS NOT DISTINCT FROM $2 RETURNING *`,
        [
          id,
          this.#codec.seal(k, id, 'refresh', expected),
          this.#codec.seal(k, id, 'access', t.access),
          this.#codec.seal(k, id, 'refresh', t.refresh),
          t.expires,
          t.issuedAt,
          t.accountId ?? null,
          t.email ?? null,
          now,
          kind === 'rotated',
        ],
      );
      if (!r.rows[0]) {
        const cur = await c.query<ProfileRow>('SELECT * FROM profiles WHERE id = $1', [id]);
        const profile = cur.rows[0] ? this.#profile(cur.rows[0]) : null;
        // A retry after a lost acknowledgement: our own earlier attempt is what the row holds.
        if (profile && profile.refresh === t.refresh && profile.access === t.access) {
          return { kind: 'committed', profile };
        }
        return { kind: 'conflict', profile };
      }
      const profile = this.#profile(r.rows[0]);
      await event(
        c,
        {
          profileId: id,
          kind,
          data: {
            ...extra,
            generation: profile.generation,
            refreshFp: fingerprint(t.refresh),
            expires: t.expires,
          },
        },
        now,
      );
      await notify(c, profile);
      return { kind: 'committed', profile };
    });
  }

  async markNeedsReauth(
    id: string,
    presented: string | null,
    reason: ReauthReason,
    now: number,
  ): Promise<CommitOutcome> {
    return this.#db.durable(() =>
      this.#db.transaction(async (c): Promise<CommitOutcome> => {
        const k = await tokenKey(c);
        const r = await c.query<ProfileRow>(
          `UPDATE profiles SET status = 'needs_reauth', status_reason = $3, status_at = $4, lease_owner = NULL,
             lease_until = NULL, updated_at = $4
           WHERE id = $1 AND refresh IS NOT DISTINCT FROM $2 RETURNING *`,
          [id, this.#codec.seal(k, id, 'refresh', presented), reason, now],
        );
        if (!r.rows[0]) {
          const cur = await c.query<ProfileRow>('SELECT * FROM profiles WHERE id = $1', [id]);
          return { kind: 'conflict', profile: cur.rows[0] ? this.#profile(cur.rows[0]) : null };
        }
        const profile = this.#profile(r.rows[0]);
        await event(
          c,
          { profileId: id, kind: 'reauth_required', data: { reason, refreshFp: fingerprint(presented) } },
          now,
        );
        await notify(c, profile);
        return { kind: 'committed', profile };
      }),
    );
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    await this.#db.query(
      `WITH u AS (UPDATE profiles SET lease_owner = NULL, lease_until = NULL
                  WHERE id = $1 AND lease_owner = $2 RETURNING id, generation)
       SELECT pg_notify($3, json_build_object('id', id, 'generation', generation)::text) FROM u`,
      [id, owner, CHANGE_CHANNEL],
    );
  }

  async listLinkedSources(profileId?: string): Promise<LinkedSourceRef[]> {
    const r = await this.#db.query<{ profile_id: string; kind: string; location: string; added_at: string }>(
      `SELECT profile_id, kind, location, added_at FROM linked_sources
       WHERE $1::text IS NULL OR profile_id = $1 ORDER BY profile_id, kind, location`,
      [profileId ?? null],
    );
    return r.rows.map((x) => ({
      profileId: x.profile_id,
      kind: x.kind,
      location: x.location,
      addedAt: Number(x.added_at),
    }));
  }

  async addLinkedSource(ref: Omit<LinkedSourceRef, 'addedAt'>, now: number): Promise<void> {
    await this.#db.transaction(async (c) => {
      const r = await c.query(
        `INSERT INTO linked_sources (profile_id, kind, location, added_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [ref.profileId, ref.kind, ref.location, now],
      );
      if (r.rowCount === 1) {
        await event(
          c,
          { profileId: ref.profileId, kind: 'linked', data: { source: ref.kind, location: ref.location } },
          now,
        );
      }
    });
  }

  async removeLinkedSource(
    ref: Pick<LinkedSourceRef, 'profileId' | 'kind' | 'location'>,
    _now: number,
  ): Promise<void> {
    await this.#db.query('DELETE FROM linked_sources WHERE profile_id = $1 AND kind = $2 AND location = $3', [
      ref.profileId,
      ref.kind,
      ref.location,
    ]);
  }

  async insertClient(client: Omit<ClientRecord, 'lastUsedAt'>): Promise<ClientRecord> {
    return this.#db.transaction(async (c) => {
      const r = await c.query(
        `INSERT INTO clients (name, key_hash, key_prefix, chain, kind, subscription_opt_in, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING`,
        [
          client.name,
          client.keyHash,
          client.keyPrefix,
          client.chain,
          client.kind,
          client.subscriptionOptIn,
          client.createdAt,
        ],
      );
      if (r.rowCount !== 1) {
        throw new ClawkeepError(
          'client_exists',
          `client ${client.name} already exists; remove it first: clawkeep clients rm ${client.name}`,
          { details: { client: client.name } },
        );
      }
      await event(
        c,
        { profileId: null, kind: 'client_added', data: clientEventData(client) },
        client.createdAt,
      );
      return { ...client, lastUsedAt: null };
    });
  }

  async updateClient(name: string, patch: ClientPolicyPatch, now: number): Promise<ClientRecord | null> {
    return this.#db.transaction(async (c) => {
      const r = await c.query<ClientRow>('SELECT * FROM clients WHERE name = $1 FOR UPDATE', [name]);
      if (!r.rows[0]) return null;
      const next = { ...toClient(r.rows[0]), ...patch };
      await c.query('UPDATE clients SET kind = $1, subscription_opt_in = $2 WHERE name = $3', [
        next.kind,
        next.subscriptionOptIn,
        name,
      ]);
      await event(c, { profileId: null, kind: 'client_changed', data: clientEventData(next) }, now);
      return next;
    });
  }

  async listClients(): Promise<ClientRecord[]> {
    return (await this.#db.query<ClientRow>('SELECT * FROM clients ORDER BY name')).rows.map(toClient);
  }

  async findClientByHash(keyHash: string): Promise<ClientRecord | null> {
    const r = await this.#db.query<ClientRow>('SELECT * FROM clients WHERE key_hash = $1', [keyHash]);
    return r.rows[0] ? toClient(r.rows[0]) : null;
  }

  async removeClient(name: string, now: number): Promise<ClientRecord | null> {
    return this.#db.transaction(async (c) => {
      const r = await c.query<ClientRow>('DELETE FROM clients WHERE name = $1 RETURNING *', [name]);
      if (!r.rows[0]) return null;
      await event(c, { profileId: null, kind: 'client_removed', data: { client: name } }, now);
      return toClient(r.rows[0]);
    });
  }

  async appendEvent(e: NewEvent, now: number): Promise<void> {
    await this.#db.write((pool) => event(pool, e, now));
  }

  async appendEvents(events: ReadonlyArray<NewEvent & { at: number }>): Promise<void> {
    if (events.length === 0) return;
    await this.#db.transaction(async (c) => {
      for (const e of events) await event(c, e, e.at);
    });
  }

  async listEvents(opts: EventQuery = {}): Promise<StoreEvent[]> {
    const r = await this.#db.query<EventRow>(
      `SELECT * FROM events WHERE seq > $1 AND ($2::text IS NULL OR profile_id = $2)
         AND ($3::text IS NULL OR kind = $3) ORDER BY seq LIMIT $4`,
      [opts.afterSeq ?? 0, opts.profileId ?? null, opts.kind ?? null, opts.limit ?? 1000],
    );
    return r.rows.map(toEvent);
  }

  async saveQuota(profileId: string, data: string, now: number): Promise<void> {
    await this.#db.query(
      `INSERT INTO quotas (profile_id, data, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (profile_id) DO UPDATE SET data = EXCLUDED.data, updated_at = EXCLUDED.updated_at`,
      [profileId, data, now],
    );
  }

  async listQuotas(): Promise<QuotaRow[]> {
    const r = await this.#db.query<{ profile_id: string; data: string; updated_at: string }>(
      'SELECT * FROM quotas ORDER BY profile_id',
    );
    return r.rows.map((q) => ({ profileId: q.profile_id, data: q.data, updatedAt: Number(q.updated_at) }));
  }

  async addUsage(rows: readonly UsageRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#db.transaction(async (c) => {
      for (const u of rows) {
        await c.query(
          `INSERT INTO usage (minute, client, model, requests, tokens_in, tokens_out) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (minute, client, model) DO UPDATE SET requests = usage.requests + EXCLUDED.requests,
             tokens_in = usage.tokens_in + EXCLUDED.tokens_in, tokens_out = usage.tokens_out + EXCLUDED.tokens_out`,
          [u.minute, u.client, u.model, u.requests, u.tokensIn, u.tokensOut],
        );
      }
    });
  }

  async listUsage(since: number): Promise<UsageRow[]> {
    const r = await this.#db.query<{
      minute: string;
      client: string;
      model: string;
      requests: string;
      tokens_in: string;
      tokens_out: string;
    }>('SELECT * FROM usage WHERE minute >= $1 ORDER BY minute, client, model', [since]);
    return r.rows.map((u) => ({
      minute: Number(u.minute),
      client: u.client,
      model: u.model,
      requests: Number(u.requests),
      tokensIn: Number(u.tokens_in),
      tokensOut: Number(u.tokens_out),
    }));
  }

  watchChanges(listener: (change: ProfileChange) => void): () => void {
    return this.#feed.subscribe(listener);
  }

  /** Resolves once this store's LISTEN connection is up (false after timeoutMs). */
  listening(timeoutMs?: number): Promise<boolean> {
    return this.#feed.ready(timeoutMs);
  }

  async tokenKeyId(): Promise<string | null> {
    const r = await this.#db.query<{ value: string }>("SELECT value FROM settings WHERE key = 'token_key'");
    return r.rows[0]?.value || null;
  }

  async rekeyTokens(next: string | null, now: number): Promise<{ profiles: number; from: string | null }> {
    return this.#db.transaction(async (c) => {
      // FOR UPDATE on the key row waits for every writer holding it FOR SHARE, and holds off new ones.
      const cur = await c.query<{ value: string }>(
        "SELECT value FROM settings WHERE key = 'token_key' FOR UPDATE",
      );
      const from = cur.rows[0]?.value || null;
      const rows = (await c.query<ProfileRow>('SELECT * FROM profiles ORDER BY id FOR UPDATE')).rows;
      for (const r of rows) {
        const p = this.#profile(r);
        await c.query('UPDATE profiles SET access = $2, refresh = $3 WHERE id = $1', [
          p.id,
          this.#codec.seal(next, p.id, 'access', p.access),
          this.#codec.seal(next, p.id, 'refresh', p.refresh),
        ]);
      }
      await c.query("UPDATE settings SET value = $1 WHERE key = 'token_key'", [next ?? '']);
      await event(
        c,
        { profileId: null, kind: 'store_key_changed', data: { from, to: next, profiles: rows.length } },
        now,
      );
      // No NOTIFY: every token's plaintext and generation are unchanged, only how it is kept.
      return { profiles: rows.length, from };
    });
  }

  #profile(r: ProfileRow): Profile {
    return toProfile(r, this.#codec);
  }

  /** Runs `sql` on a pooled connection after `ready()`; driver errors become typed errors. */
  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.#db.query<R>(sql, params);
  }

  /** One transaction on one pooled connection (used by `store migrate` to copy in a single transaction). */
  transaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.#db.transaction(fn);
  }

  async close(): Promise<void> {
    await this.#feed.close();
    await this.#db.close();
  }
}

type Queryable = Pick<pg.ClientBase, 'query'>;

async function event(c: Queryable, e: NewEvent, now: number): Promise<void> {
  await c.query('INSERT INTO events (at, profile_id, kind, data) VALUES ($1, $2, $3, $4::jsonb)', [
    now,
    e.profileId,
    e.kind,
    JSON.stringify(e.data ?? {}),
  ]);
}

/** Delivered at COMMIT, to every LISTENing host; rolled back with the transaction. */
async function notify(c: Queryable, p: Profile): Promise<void> {
  await c.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, changePayload(p.id, p.generation)]);
}

/**
 * The store's token key, read inside a writer's transaction and held FOR SHARE until it ends, so
 * `rekeyTokens` (FOR UPDATE) never interleaves with a write sealed under the key it replaces.
 */
async function tokenKey(c: Queryable): Promise<string | null> {
  const r = await c.query<{ value: string }>("SELECT value FROM settings WHERE key = 'token_key' FOR SHARE");
  return r.rows[0]?.value || null;
}

function describe(input: ProfileInput): Record<string, unknown> {
  return { type: input.type, accessFp: fingerprint(input.access), refreshFp: fingerprint(input.refresh) };
}
