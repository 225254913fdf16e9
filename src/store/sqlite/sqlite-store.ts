import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { ClawkeepError } from '../../errors.js';
import { fingerprint } from '../../util/fingerprint.js';
import { invokedAs } from '../../util/invoked-as.js';
import type { KeyLookup } from '../crypto/key-store.js';
import { TokenCodec } from '../crypto/token-codec.js';
import type { PermissionFix } from '../home.js';
import { toStoreIoError } from '../io-errors.js';
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
import { SqliteChangeWatch } from './change-watch.js';
import { openSqlite } from './open.js';

/** The single-host backend: one SQLite file in WAL mode, credential writes fsync'd (synchronous=FULL). */
export class SqliteStore implements Store {
  readonly location: string;
  /** The home whose key files hold this store's token key. */
  readonly keyHome: string;
  #db: Database.Database;
  #get: Database.Statement<[string], ProfileRow>;
  #insertEvent: Database.Statement<[number, string | null, string, string]>;
  #tokenKey: Database.Statement<[], { value: string }>;
  #watch: SqliteChangeWatch | null = null;
  readonly #codec: TokenCodec;
  get tokenCodec(): TokenCodec {
    return this.#codec;
  }

  /** `keys`: where the token key is found (default: key files beside the store). */
  constructor(
    path: string,
    options: { busyTimeoutMs?: number; fixes?: PermissionFix[]; keys?: KeyLookup } = {},
  ) {
    this.location = path;
    this.keyHome = options.keys?.home ?? dirname(path);
    this.#codec = new TokenCodec(options.keys ?? { home: this.keyHome });
    this.#db = openSqlite(path, options.busyTimeoutMs ?? 5000, options.fixes);
    this.#get = this.#db.prepare('SELECT * FROM profiles WHERE id = ?');
    this.#tokenKey = this.#db.prepare("SELECT value FROM settings WHERE key = 'token_key'");
    this.#insertEvent = this.#db.prepare(
      'INSERT INTO events (at, profile_id, kind, data) VALUES (?, ?, ?, ?)',
    );
  }

  async getProfile(id: string): Promise<Profile | null> {
    return this.#guard('read', () => this.#read(id));
  }

  async listProfiles(): Promise<Profile[]> {
    return this.#guard('read', () =>
      (this.#db.prepare('SELECT * FROM profiles ORDER BY id').all() as ProfileRow[]).map((r) =>
        toProfile(r, this.#codec),
      ),
    );
  }

  async insertProfile(input: ProfileInput, now: number): Promise<Profile> {
    const { provider, name } = parseProfileId(input.id);
    return this.#tx(() => {
      if (this.#read(input.id)) {
        throw new ClawkeepError(
          'profile_exists',
          `profile ${input.id} already exists; pass --force to replace it`,
          {
            details: { id: input.id },
          },
        );
      }
      this.#db
        .prepare(
          `INSERT INTO profiles (id, provider, name, type, account_id, email, access, refresh, expires, issued_at,
             generation, status, created_at, updated_at)
           VALUES (@id, @provider, @name, @type, @accountId, @email, @access, @refresh, @expires, @issuedAt,
             1, 'ok', @now, @now)`,
        )
        .run({ ...bindProfileInput(input, this.#codec, this.#keyId()), provider, name, now });
      this.#event({ profileId: input.id, kind: 'created', data: describe(input) }, now);
      return this.#read(input.id)!;
    });
  }

  async replaceProfile(input: ProfileInput, now: number): Promise<Profile> {
    parseProfileId(input.id);
    return this.#tx(() => {
      const before = this.#read(input.id);
      if (!before) throw profileNotFound(input.id);
      this.#db
        .prepare(
          `UPDATE profiles SET type = @type, account_id = @accountId, email = @email, access = @access,
             refresh = @refresh, expires = @expires, issued_at = @issuedAt, generation = generation + 1,
             status = 'ok', status_reason = NULL, status_at = @now, lease_owner = NULL, lease_until = NULL,
             updated_at = @now
           WHERE id = @id`,
        )
        .run({ ...bindProfileInput(input, this.#codec, this.#keyId()), now });
      const after = this.#read(input.id)!;
      this.#event(
        { profileId: input.id, kind: 'replaced', data: { ...describe(input), generation: after.generation } },
        now,
      );
      return after;
    });
  }

  async removeProfile(id: string, now: number): Promise<Profile | null> {
    return this.#tx(() => {
      const before = this.#read(id);
      if (!before) return null;
      this.#db.prepare('DELETE FROM profiles WHERE id = ?').run(id);
      this.#event({ profileId: id, kind: 'removed', data: { generation: before.generation } }, now);
      return before;
    });
  }

  async setStatus(id: string, status: 'ok' | 'disabled', now: number): Promise<Profile | null> {
    return this.#tx(() => {
      const res = this.#db
        .prepare(
          'UPDATE profiles SET status = ?, status_reason = NULL, status_at = ?, updated_at = ? WHERE id = ?',
        )
        .run(status, now, now, id);
      if (res.changes === 1)
        this.#event({ profileId: id, kind: status === 'ok' ? 'enabled' : 'disabled' }, now);
      return this.#read(id);
    });
  }

  async readLease(id: string, now: number): Promise<LeaseRead | null> {
    const profile = await this.getProfile(id);
    return profile ? { profile, now } : null;
  }

  async claimLease(claim: LeaseClaim): Promise<LeaseClaimOutcome> {
    return this.#tx((): LeaseClaimOutcome => {
      const until = claim.now + claim.ttlMs;
      const { expected } = claim;
      const res = this.#db
        .prepare(
          `UPDATE profiles SET lease_owner = @owner, lease_until = @until
           WHERE id = @id AND generation = @generation AND status = @status
             AND lease_owner IS @leaseOwner AND lease_until IS @leaseUntil`,
        )
        .run({ id: claim.id, owner: claim.owner, until, ...expected });
      if (res.changes !== 1) return { kind: 'changed' };
      if (claim.tookOverFrom) {
        this.#event(
          {
            profileId: claim.id,
            kind: 'lease_taken_over',
            data: { from: claim.tookOverFrom, to: claim.owner },
          },
          claim.now,
        );
      }
      const profile = this.#read(claim.id);
      return profile ? { kind: 'claimed', profile } : { kind: 'changed' };
    });
  }

  async commitRotation(id: string, presented: string, t: RotatedTokens, now: number): Promise<CommitOutcome> {
    return this.#writeTokens(id, presented, t, now, 'rotated', {});
  }

  async adoptCredential(
    id: string,
    expected: string | null,
    t: RotatedTokens,
    source: string,
    now: number,
  ): Promise<CommitOutcome> {
    return this.#writeTokens(id, expected, t, now, 'adopted', { source });
  }

  /** Compare-and-set of new tokens over the refresh token the caller last saw. */
  #writeTokens(
    id: string,
    expected: string | null,
    t: RotatedTokens,
    now: number,
    kind: 'rotated' | 'adopted',
    extra: Record<string, unknown>,
  ): Promise<CommitOutcome> {
    return Promise.resolve(
      this.#tx((): CommitOutcome => {
        const k = this.#keyId();
        const res = this.#db
          .prepare(
            `UPDATE profiles SET access = @access, refresh = @refresh, expires = @expires, issued_at = @issuedAt,
               account_id = COALESCE(@accountId, account_id), email = COALESCE(@email, email),
               generation = generation + 1, status = 'ok', status_reason = NULL, status_at = @now,
               lease_owner = NULL, lease_until = NULL, updated_at = @now,
               rotated_at = CASE WHEN @rotated THEN @now ELSE rotated_at END
             WHERE id = @id AND refresh IS @expected`,
          )
          .run({
            id,
            expected: this.#codec.seal(k, id, 'refresh', expected),
            now,
            rotated: kind === 'rotated' ? 1 : 0,
            access: this.#codec.seal(k, id, 'access', t.access),
            refresh: this.#codec.seal(k, id, 'refresh', t.refresh),
            expires: t.expires,
            issuedAt: t.issuedAt,
            accountId: t.accountId ?? null,
            email: t.email ?? null,
          });
        const profile = this.#read(id);
        if (res.changes !== 1 || !profile) {
          // A retry after a lost acknowledgement (a write thread that died after COMMIT): our own
          // earlier attempt is what the row holds.
          if (profile && profile.refresh === t.refresh && profile.access === t.access) {
            return { kind: 'committed', profile };
          }
          return { kind: 'conflict', profile };
        }
        this.#event(
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
        return { kind: 'committed', profile };
      }),
    );
  }

  async markNeedsReauth(
    id: string,
    presented: string | null,
    reason: ReauthReason,
    now: number,
  ): Promise<CommitOutcome> {
    return this.#tx((): CommitOutcome => {
      const res = this.#db
        .prepare(
          `UPDATE profiles SET status = 'needs_reauth', status_reason = ?, status_at = ?, lease_owner = NULL,
             lease_until = NULL, updated_at = ?
           WHERE id = ? AND refresh IS ?`,
        )
        .run(reason, now, now, id, this.#codec.seal(this.#keyId(), id, 'refresh', presented));
      const profile = this.#read(id);
      if (res.changes !== 1 || !profile) return { kind: 'conflict', profile };
      this.#event(
        { profileId: id, kind: 'reauth_required', data: { reason, refreshFp: fingerprint(presented) } },
        now,
      );
      return { kind: 'committed', profile };
    });
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    this.#guard('write', () =>
      this.#db
        .prepare(
          'UPDATE profiles SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?',
        )
        .run(id, owner),
    );
  }

  async listLinkedSources(profileId?: string): Promise<LinkedSourceRef[]> {
    const rows = this.#guard('read', () =>
      this.#db
        .prepare(
          `SELECT profile_id, kind, location, added_at FROM linked_sources
         WHERE @profileId IS NULL OR profile_id = @profileId ORDER BY profile_id, kind, location`,
        )
        .all({ profileId: profileId ?? null }),
    ) as Array<{
      profile_id: string;
      kind: string;
      location: string;
      added_at: number;
    }>;
    return rows.map((r) => ({
      profileId: r.profile_id,
      kind: r.kind,
      location: r.location,
      addedAt: r.added_at,
    }));
  }

  async addLinkedSource(ref: Omit<LinkedSourceRef, 'addedAt'>, now: number): Promise<void> {
    this.#tx(() => {
      const res = this.#db
        .prepare(
          'INSERT OR IGNORE INTO linked_sources (profile_id, kind, location, added_at) VALUES (?, ?, ?, ?)',
        )
        .run(ref.profileId, ref.kind, ref.location, now);
      if (res.changes === 1) {
        this.#event(
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
    this.#guard('write', () =>
      this.#db
        .prepare('DELETE FROM linked_sources WHERE profile_id = ? AND kind = ? AND location = ?')
        .run(ref.profileId, ref.kind, ref.location),
    );
  }

  async insertClient(c: Omit<ClientRecord, 'lastUsedAt'>): Promise<ClientRecord> {
    return this.#tx(() => {
      if (this.#db.prepare('SELECT 1 FROM clients WHERE name = ?').get(c.name)) {
        throw new ClawkeepError(
          'client_exists',
          `client ${c.name} already exists; remove it first: ${invokedAs()} clients rm ${c.name}`,
          {
            details: { client: c.name },
          },
        );
      }
      this.#db
        .prepare(
          'INSERT INTO clients (name, key_hash, key_prefix, chain, kind, subscription_opt_in, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(c.name, c.keyHash, c.keyPrefix, c.chain, c.kind, c.subscriptionOptIn ? 1 : 0, c.createdAt);
      this.#event({ profileId: null, kind: 'client_added', data: clientEventData(c) }, c.createdAt);
      return { ...c, lastUsedAt: null };
    });
  }

  async listClients(): Promise<ClientRecord[]> {
    return this.#guard('read', () =>
      (this.#db.prepare('SELECT * FROM clients ORDER BY name').all() as ClientRow[]).map(toClient),
    );
  }

  async findClientByHash(keyHash: string): Promise<ClientRecord | null> {
    const row = this.#guard(
      'read',
      () =>
        this.#db.prepare('SELECT * FROM clients WHERE key_hash = ?').get(keyHash) as ClientRow | undefined,
    );
    return row ? toClient(row) : null;
  }

  async removeClient(name: string, now: number): Promise<ClientRecord | null> {
    return this.#tx(() => {
      const row = this.#db.prepare('SELECT * FROM clients WHERE name = ?').get(name) as ClientRow | undefined;
      if (!row) return null;
      this.#db.prepare('DELETE FROM clients WHERE name = ?').run(name);
      this.#event({ profileId: null, kind: 'client_removed', data: { client: name } }, now);
      return toClient(row);
    });
  }

  async updateClient(name: string, patch: ClientPolicyPatch, now: number): Promise<ClientRecord | null> {
    return this.#tx(() => {
      const row = this.#db.prepare('SELECT * FROM clients WHERE name = ?').get(name) as ClientRow | undefined;
      if (!row) return null;
      const next = { ...toClient(row), ...patch };
      this.#db
        .prepare('UPDATE clients SET kind = ?, subscription_opt_in = ? WHERE name = ?')
        .run(next.kind, next.subscriptionOptIn ? 1 : 0, name);
      this.#event({ profileId: null, kind: 'client_changed', data: clientEventData(next) }, now);
      return next;
    });
  }

  async appendEvents(events: ReadonlyArray<NewEvent & { at: number }>): Promise<void> {
    if (events.length === 0) return;
    this.#tx(() => {
      for (const e of events) this.#event(e, e.at);
    });
  }

  async appendEvent(event: NewEvent, now: number): Promise<void> {
    this.#guard('write', () => this.#event(event, now));
  }

  async listEvents(opts: EventQuery = {}): Promise<StoreEvent[]> {
    const rows = this.#guard('read', () =>
      this.#db
        .prepare(
          `SELECT * FROM events WHERE seq > @after AND (@profileId IS NULL OR profile_id = @profileId)
             AND (@kind IS NULL OR kind = @kind) ORDER BY seq LIMIT @limit`,
        )
        .all({
          after: opts.afterSeq ?? 0,
          profileId: opts.profileId ?? null,
          kind: opts.kind ?? null,
          limit: opts.limit ?? 1000,
        }),
    ) as EventRow[];
    return rows.map(toEvent);
  }

  async saveQuota(profileId: string, data: string, now: number): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO quotas (profile_id, data, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (profile_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
      )
      .run(profileId, data, now);
  }

  async listQuotas(): Promise<QuotaRow[]> {
    const rows = this.#db.prepare('SELECT * FROM quotas ORDER BY profile_id').all() as Array<{
      profile_id: string;
      data: string;
      updated_at: number;
    }>;
    return rows.map((r) => ({ profileId: r.profile_id, data: r.data, updatedAt: r.updated_at }));
  }

  async addUsage(rows: readonly UsageRow[]): Promise<void> {
    if (rows.length === 0) return;
    const add = this.#db.prepare(
      `INSERT INTO usage (minute, client, model, requests, tokens_in, tokens_out)
       VALUES (@minute, @client, @model, @requests, @tokensIn, @tokensOut)
       ON CONFLICT (minute, client, model) DO UPDATE SET
         requests = requests + excluded.requests,
         tokens_in = tokens_in + excluded.tokens_in,
         tokens_out = tokens_out + excluded.tokens_out`,
    );
    this.#tx(() => {
      for (const r of rows) add.run(r);
    });
  }

  async listUsage(since: number): Promise<UsageRow[]> {
    const rows = this.#db
      .prepare('SELECT * FROM usage WHERE minute >= ? ORDER BY minute, client, model')
      .all(since) as Array<{
      minute: number;
      client: string;
      model: string;
      requests: number;
      tokens_in: number;
      tokens_out: number;
    }>;
    return rows.map((r) => ({
      minute: r.minute,
      client: r.client,
      model: r.model,
      requests: r.requests,
      tokensIn: r.tokens_in,
      tokensOut: r.tokens_out,
    }));
  }

  /** Changes committed by other connections (processes, this process's write worker), polled cheaply. */
  watchChanges(listener: (change: ProfileChange) => void): () => void {
    this.#watch ??= new SqliteChangeWatch(this.#db);
    return this.#watch.subscribe(listener);
  }

  async close(): Promise<void> {
    this.#watch?.close();
    if (this.#db.open) this.#db.close();
  }

  async tokenKeyId(): Promise<string | null> {
    return this.#guard('read', () => this.#keyId());
  }

  async rekeyTokens(next: string | null, now: number): Promise<{ profiles: number; from: string | null }> {
    const out = this.#rekey(next, now);
    // Old pages still in the WAL hold the previous form of every token: fold them in and empty it.
    // Best effort: a reader elsewhere keeps the WAL alive; its pages are overwritten as it is reused.
    try {
      this.#db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // busy: see above
    }
    return out;
  }

  #rekey(next: string | null, now: number): { profiles: number; from: string | null } {
    return this.#tx(() => {
      const from = this.#keyId();
      const rows = this.#db.prepare('SELECT * FROM profiles ORDER BY id').all() as ProfileRow[];
      const update = this.#db.prepare('UPDATE profiles SET access = ?, refresh = ? WHERE id = ?');
      for (const r of rows) {
        const p = toProfile(r, this.#codec);
        update.run(
          this.#codec.seal(next, p.id, 'access', p.access),
          this.#codec.seal(next, p.id, 'refresh', p.refresh),
          p.id,
        );
      }
      this.#db.prepare("UPDATE settings SET value = ? WHERE key = 'token_key'").run(next ?? '');
      this.#event(
        { profileId: null, kind: 'store_key_changed', data: { from, to: next, profiles: rows.length } },
        now,
      );
      return { profiles: rows.length, from };
    });
  }

  #keyId(): string | null {
    return this.#tokenKey.get()?.value || null;
  }

  #read(id: string): Profile | null {
    const row = this.#get.get(id);
    return row ? toProfile(row, this.#codec) : null;
  }

  #event(e: NewEvent, now: number): void {
    this.#insertEvent.run(now, e.profileId, e.kind, JSON.stringify(e.data ?? {}));
  }

  // BEGIN IMMEDIATE takes the write lock up front, so a read-then-write never deadlocks on upgrade.
  #tx<T>(fn: () => T): T {
    return this.#guard('write', () => this.#db.transaction(fn).immediate());
  }

  /** Runs a driver call, turning disk-full, I/O, lock and permission failures into clawkeep errors. */
  #guard<T>(doing: 'read' | 'write', fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw toStoreIoError(err, this.location, doing === 'read' ? 'read the store' : 'write the store');
    }
  }
}

function describe(input: ProfileInput): Record<string, unknown> {
  return { type: input.type, accessFp: fingerprint(input.access), refreshFp: fingerprint(input.refresh) };
}
