import type { TokenCodec } from './crypto/token-codec.js';
/** Credential kinds a profile can hold. */
export type ProfileType = 'oauth' | 'api_key' | 'token';
export type ProfileStatus = 'ok' | 'needs_reauth' | 'disabled';

/** Why a profile needs re-authentication; stable codes shown to users. */
export type ReauthReason =
  | 'refresh_token_reused'
  | 'refresh_token_expired'
  | 'refresh_token_invalidated'
  | 'invalid_grant'
  | 'revoked'
  | 'no_refresh_token'
  | 'refresh_fence';

/** One credential, as stored. `access` holds the API key for `api_key` and the bearer for `token` profiles. */
export interface Profile {
  id: string;
  provider: string;
  name: string;
  type: ProfileType;
  accountId: string | null;
  email: string | null;
  access: string | null;
  refresh: string | null;
  /** Access-token expiry, epoch ms; null when it never expires (API keys). */
  expires: number | null;
  /** When the current access token was issued (epoch ms), used to size the refresh window. */
  issuedAt: number | null;
  generation: number;
  status: ProfileStatus;
  statusReason: string | null;
  statusAt: number | null;
  leaseOwner: string | null;
  leaseUntil: number | null;
  createdAt: number;
  updatedAt: number;
  rotatedAt: number | null;
}

/** The fields a caller supplies to create or replace a profile. */
export interface ProfileInput {
  id: string;
  type: ProfileType;
  accountId?: string | null;
  email?: string | null;
  access?: string | null;
  refresh?: string | null;
  expires?: number | null;
  issuedAt?: number | null;
}

/** The tokens a successful rotation produced. */
export interface RotatedTokens {
  access: string;
  refresh: string;
  expires: number;
  issuedAt: number;
  accountId?: string | null;
  email?: string | null;
}

export type EventKind =
  | 'created'
  | 'replaced'
  | 'removed'
  | 'client_added'
  | 'client_removed'
  | 'client_changed'
  | 'enabled'
  | 'disabled'
  | 'rotated'
  | 'adopted'
  | 'linked'
  | 'linked_write_failed'
  | 'rotation_discarded'
  | 'reauth_required'
  | 'refresh_failed'
  | 'lease_taken_over'
  | 'fallback'
  | 'cooldown'
  | 'imported'
  | 'repaired'
  | 'quota_warning'
  | 'quota_exhausted'
  | 'quota_recovered'
  | 'keepalive'
  | 'store_key_changed';

/** An append-only record. `data` never holds a token, only fingerprints. */
export interface StoreEvent {
  seq: number;
  at: number;
  profileId: string | null;
  kind: EventKind;
  data: Record<string, unknown>;
}

export interface NewEvent {
  profileId: string | null;
  kind: EventKind;
  data?: Record<string, unknown>;
}

/** A profile row as the lease rule reads it (step 3), with the clock its lease times are judged by. */
export interface LeaseRead {
  profile: Profile;
  /** The caller's `now` on SQLite (one host); the database's clock on PostgreSQL. */
  now: number;
}

/** The fields a lease claim compares: the row exactly as the broker judged it. */
export interface LeaseExpectation {
  generation: number;
  status: ProfileStatus;
  leaseOwner: string | null;
  leaseUntil: number | null;
}

/**
 * A lease claim the broker decided on (broker/lease.ts). Plain data only: it crosses a worker
 * thread's postMessage, so it never holds a function.
 */
export interface LeaseClaim {
  id: string;
  owner: string;
  /** The caller's clock; PostgreSQL sets `lease_until` from its own. */
  now: number;
  ttlMs: number;
  /** Claimed only while the row still matches (compare-and-set). */
  expected: LeaseExpectation;
  /** The expired or dead owner this claim replaces, recorded as `lease_taken_over`. */
  tookOverFrom: string | null;
}

/** `changed`: the row is gone or no longer as judged; read it again and decide again. */
export type LeaseClaimOutcome = { kind: 'claimed'; profile: Profile } | { kind: 'changed' };

/** An external file that also holds a profile's tokens, kept in step by clawkeep. */
export interface LinkedSourceRef {
  profileId: string;
  /** The format adapter, e.g. `codex-auth-json`, `claude-credentials`, `pi-auth`, `openclaw-agent`. */
  kind: string;
  /** Usually a file path; adapters define it. */
  location: string;
  addedAt: number;
}

/** A gateway client: an agent or app with its own key (stored as a sha256 hash only). */
export interface ClientRecord {
  name: string;
  keyHash: string;
  /** The first characters of the key, so a user can tell keys apart. */
  keyPrefix: string;
  /** Default chain for requests that do not name one. */
  chain: string | null;
  /** Which agent holds the key (`claude-code`, `codex`, …, as `connect` names them); null: any other client. */
  kind: string | null;
  /** Explicitly opted in to subscription logins that serve only their vendor's own apps (serving policy). */
  subscriptionOptIn: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

/** A change to a client's serving policy (`clients set`). */
export interface ClientPolicyPatch {
  kind?: string | null;
  subscriptionOptIn?: boolean;
}

/** A profile row changed, possibly in another process or on another host. Never carries a token. */
export interface ProfileChange {
  /** Null when the signal was interrupted (e.g. a reconnect): anything may have changed. */
  profileId: string | null;
  /** The row's generation after the change; null when unknown or the row is gone. */
  generation: number | null;
  /** `clients`: the client keys changed (a key added or revoked), no profile did. */
  scope?: 'clients';
}

/** A login's last quota reading as the gateway saved it: `data` is the JSON of a QuotaReading. */
export interface QuotaRow {
  profileId: string;
  data: string;
  updatedAt: number;
}

/** Requests and tokens of one client and model within one minute (`minute`: epoch ms, floored). */
export interface UsageRow {
  minute: number;
  client: string;
  model: string;
  requests: number;
  tokensIn: number;
  tokensOut: number;
}

export type CommitOutcome =
  | { kind: 'committed'; profile: Profile }
  | { kind: 'conflict'; profile: Profile | null };

/**
 * The one storage contract. SQLite and PostgreSQL implement it; nothing else touches SQL.
 * Every write that changes credentials is durable (fsync) before it resolves.
 */
/** Which events `listEvents` returns: after `afterSeq` (exclusive), in `seq` order, at most `limit` (1000). */
export interface EventQuery {
  profileId?: string;
  kind?: string;
  afterSeq?: number;
  limit?: number;
}

export interface Store {
  readonly location: string;
  /** Seals and opens tokens with this store's keys (the pending-rotation journal seals with it too). */
  readonly tokenCodec: TokenCodec;
  getProfile(id: string): Promise<Profile | null>;
  listProfiles(): Promise<Profile[]>;
  /** Inserts a new profile; throws `profile_exists` if the id is taken. */
  insertProfile(input: ProfileInput, now: number): Promise<Profile>;
  /** Replaces a profile's credential: generation +1, status ok, lease cleared. */
  replaceProfile(input: ProfileInput, now: number): Promise<Profile>;
  /** Removes a profile and returns what was removed (the caller backs it up first). */
  removeProfile(id: string, now: number): Promise<Profile | null>;
  setStatus(id: string, status: 'ok' | 'disabled', now: number): Promise<Profile | null>;
  /** Step 3a: the row and the lease clock, for the broker's lease rule. Never writes. */
  readLease(id: string, now: number): Promise<LeaseRead | null>;
  /** Step 3b: applies the broker's claim if the row is still as judged (compare-and-set). */
  claimLease(claim: LeaseClaim): Promise<LeaseClaimOutcome>;
  /** Step 5: compare-and-set on the presented refresh token; generation +1; lease cleared; `rotated` event. */
  commitRotation(
    id: string,
    presentedRefresh: string,
    tokens: RotatedTokens,
    now: number,
  ): Promise<CommitOutcome>;
  /**
   * Adopts a fresher copy found in a linked source: compare-and-set on the refresh token the row
   * held when the copy was judged fresher; generation +1; status ok; lease cleared; `adopted` event.
   */
  adoptCredential(
    id: string,
    expectedRefresh: string | null,
    tokens: RotatedTokens,
    source: string,
    now: number,
  ): Promise<CommitOutcome>;
  /** Step 6: marks needs_reauth if the row still holds the presented refresh token. */
  markNeedsReauth(
    id: string,
    presentedRefresh: string | null,
    reason: ReauthReason,
    now: number,
  ): Promise<CommitOutcome>;
  /** Releases the lease if `owner` still holds it. */
  releaseLease(id: string, owner: string): Promise<void>;
  listLinkedSources(profileId?: string): Promise<LinkedSourceRef[]>;
  /** Links an external copy to a profile; linking the same (kind, location) twice is a no-op. */
  addLinkedSource(ref: Omit<LinkedSourceRef, 'addedAt'>, now: number): Promise<void>;
  removeLinkedSource(
    ref: Pick<LinkedSourceRef, 'profileId' | 'kind' | 'location'>,
    now: number,
  ): Promise<void>;
  insertClient(client: Omit<ClientRecord, 'lastUsedAt'>): Promise<ClientRecord>;
  listClients(): Promise<ClientRecord[]>;
  findClientByHash(keyHash: string): Promise<ClientRecord | null>;
  removeClient(name: string, now: number): Promise<ClientRecord | null>;
  /** Changes a client's kind or subscription opt-in; null when no such client. */
  updateClient(name: string, patch: ClientPolicyPatch, now: number): Promise<ClientRecord | null>;
  appendEvent(event: NewEvent, now: number): Promise<void>;
  /** Appends several events in one durable transaction (one fsync), each with its own time. */
  appendEvents(events: ReadonlyArray<NewEvent & { at: number }>): Promise<void>;
  listEvents(opts?: EventQuery): Promise<StoreEvent[]>;
  /**
   * Optional change signal: calls `listener` after a profile row changed, including writes by other
   * processes and hosts (PostgreSQL: LISTEN/NOTIFY). Lets brokers wake lease waiters at once and
   * adopt peers' rotations into memory. Returns the unsubscribe function.
   */
  watchChanges?(listener: (change: ProfileChange) => void): () => void;
  /** The id of the key the token columns are sealed with; null when encryption is off. */
  tokenKeyId(): Promise<string | null>;
  /**
   * Re-seals every token column with the key `next` (null: back to plaintext) and records it as the
   * store's key, in one transaction, with a `store_key_changed` event. The store's key lookup must
   * find both keys. Writers read the store's key inside their own transaction, so a running process
   * never writes with a key the store no longer uses.
   */
  rekeyTokens(next: string | null, now: number): Promise<{ profiles: number; from: string | null }>;
  /** Keeps one quota reading per profile (upsert); not an event, not durable-critical. */
  saveQuota(profileId: string, data: string, now: number): Promise<void>;
  listQuotas(): Promise<QuotaRow[]>;
  /** Adds the rows' counts to what the store holds for the same (minute, client, model), in one transaction. */
  addUsage(rows: readonly UsageRow[]): Promise<void>;
  /** Usage rows of minutes at or after `since` (epoch ms), oldest first. */
  listUsage(since: number): Promise<UsageRow[]>;
  close(): Promise<void>;
}
