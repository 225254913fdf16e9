import type { LeaseExpectation, Profile, Store } from '../store/types.js';

/** What the broker does with the row it just re-read (step 3 of the protocol). */
export type LeaseVerdict =
  | { kind: 'fresh' }
  | { kind: 'needs_reauth' }
  | { kind: 'held' }
  | { kind: 'claim'; tookOverFrom: string | null };

/** The facts the lease rule weighs besides the row, all plain data. */
export interface LeaseFacts {
  owner: string;
  /** The clock the lease times were written with (the database's on PostgreSQL). */
  now: number;
  /** The stored access token is still good beyond the refresh window: adopt it, don't claim. */
  fresh: boolean;
  /** The row's lease owner is known to be dead (same host, pid gone). */
  holderDead: boolean;
}

/**
 * The lease rule, pure: adopt a fresh row, fail fast on needs_reauth, wait for a live owner of
 * another broker, else claim (taking over an expired lease or one whose owner is known dead).
 */
export function decideLease(p: Profile, facts: LeaseFacts): LeaseVerdict {
  if (p.status === 'needs_reauth') return { kind: 'needs_reauth' };
  if (facts.fresh) return { kind: 'fresh' };
  const holder = p.leaseOwner;
  const live =
    holder !== null && holder !== facts.owner && (p.leaseUntil ?? 0) > facts.now && !facts.holderDead;
  if (live) return { kind: 'held' };
  return { kind: 'claim', tookOverFrom: holder !== null && holder !== facts.owner ? holder : null };
}

/** The row's fields a claim compares, so a claim applies only to the row the rule judged. */
export function leaseExpectation(p: Profile): LeaseExpectation {
  return { generation: p.generation, status: p.status, leaseOwner: p.leaseOwner, leaseUntil: p.leaseUntil };
}

/** What one pass of step 3 came to. `changed`: the row moved between read and claim; run it again. */
export type LeaseDecision =
  | { kind: 'claimed'; profile: Profile; tookOverFrom: string | null }
  | { kind: 'held'; profile: Profile }
  | { kind: 'fresh'; profile: Profile }
  | { kind: 'needs_reauth'; profile: Profile }
  | { kind: 'changed' }
  | { kind: 'missing' };

export interface LeaseAttempt {
  id: string;
  owner: string;
  now: number;
  ttlMs: number;
  isFresh: (profile: Profile) => boolean;
  isOwnerDead: (owner: string) => boolean;
}

/**
 * One pass of step 3: the store reads the row, the rule decides here, and the store applies a claim
 * with compare-and-set. Only data crosses into the store, so it may sit behind a worker thread.
 */
export async function tryClaimLease(store: Store, attempt: LeaseAttempt): Promise<LeaseDecision> {
  const read = await store.readLease(attempt.id, attempt.now);
  if (!read) return { kind: 'missing' };
  const { profile, now } = read;
  const holder = profile.leaseOwner;
  const verdict = decideLease(profile, {
    owner: attempt.owner,
    now,
    fresh: attempt.isFresh(profile),
    holderDead: holder !== null && holder !== attempt.owner && attempt.isOwnerDead(holder),
  });
  if (verdict.kind !== 'claim') return { kind: verdict.kind, profile };
  const out = await store.claimLease({
    id: attempt.id,
    owner: attempt.owner,
    now: attempt.now,
    ttlMs: attempt.ttlMs,
    expected: leaseExpectation(profile),
    tookOverFrom: verdict.tookOverFrom,
  });
  if (out.kind === 'changed') return out;
  return { kind: 'claimed', profile: out.profile, tookOverFrom: verdict.tookOverFrom };
}
