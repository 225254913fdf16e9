import type { TokenCodec } from './crypto/token-codec.js';
import type { ClientRecord, Profile, ProfileInput, ProfileStatus, ProfileType, StoreEvent } from './types.js';

/** A `profiles` row as both SQL backends return it (snake_case columns). */
export interface ProfileRow {
  id: string;
  provider: string;
  name: string;
  type: string;
  account_id: string | null;
  email: string | null;
  access: string | null;
  refresh: string | null;
  expires: number | string | null;
  issued_at: number | string | null;
  generation: number | string;
  status: string;
  status_reason: string | null;
  status_at: number | string | null;
  lease_owner: string | null;
  lease_until: number | string | null;
  created_at: number | string;
  updated_at: number | string;
  rotated_at: number | string | null;
}

export interface EventRow {
  seq: number | string;
  at: number | string;
  profile_id: string | null;
  kind: string;
  data: string | Record<string, unknown>;
}

// PostgreSQL returns BIGINT as string; SQLite as number.
const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: number | string | null): number | null => (v === null ? null : num(v));

/** A profile from its row; with a codec, sealed token columns are opened (plaintext passes through). */
export function toProfile(r: ProfileRow, codec?: TokenCodec): Profile {
  return {
    id: r.id,
    provider: r.provider,
    name: r.name,
    type: r.type as ProfileType,
    accountId: r.account_id,
    email: r.email,
    access: codec ? codec.open(r.id, 'access', r.access) : r.access,
    refresh: codec ? codec.open(r.id, 'refresh', r.refresh) : r.refresh,
    expires: numOrNull(r.expires),
    issuedAt: numOrNull(r.issued_at),
    generation: num(r.generation),
    status: r.status as ProfileStatus,
    statusReason: r.status_reason,
    statusAt: numOrNull(r.status_at),
    leaseOwner: r.lease_owner,
    leaseUntil: numOrNull(r.lease_until),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    rotatedAt: numOrNull(r.rotated_at),
  };
}

export function toEvent(r: EventRow): StoreEvent {
  return {
    seq: num(r.seq),
    at: num(r.at),
    profileId: r.profile_id,
    kind: r.kind as StoreEvent['kind'],
    data: typeof r.data === 'string' ? (JSON.parse(r.data) as Record<string, unknown>) : r.data,
  };
}

export interface ClientRow {
  name: string;
  key_hash: string;
  key_prefix: string;
  chain: string | null;
  kind: string | null;
  subscription_opt_in: number | boolean;
  created_at: number | string;
  last_used_at: number | string | null;
}

/** What a client event records: the name, chain and serving policy, never the key or its hash. */
export function clientEventData(c: Pick<ClientRecord, 'name' | 'chain' | 'kind' | 'subscriptionOptIn'>) {
  return { client: c.name, chain: c.chain, kind: c.kind, subscriptionOptIn: c.subscriptionOptIn };
}

export function toClient(r: ClientRow): ClientRecord {
  return {
    name: r.name,
    keyHash: r.key_hash,
    keyPrefix: r.key_prefix,
    chain: r.chain,
    kind: r.kind ?? null,
    subscriptionOptIn: r.subscription_opt_in === true || r.subscription_opt_in === 1,
    createdAt: num(r.created_at),
    lastUsedAt: numOrNull(r.last_used_at),
  };
}

/** A profile input's columns for binding, its tokens sealed with `keyId` (null: plaintext). */
export function bindProfileInput(input: ProfileInput, codec: TokenCodec, keyId: string | null) {
  return {
    id: input.id,
    type: input.type,
    accountId: input.accountId ?? null,
    email: input.email ?? null,
    access: codec.seal(keyId, input.id, 'access', input.access ?? null),
    refresh: codec.seal(keyId, input.id, 'refresh', input.refresh ?? null),
    expires: input.expires ?? null,
    issuedAt: input.issuedAt ?? null,
  };
}
