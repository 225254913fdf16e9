import type { ClaimLeaseInput, Profile } from '../store/types.js';

/** What the lease transaction should do with the row it just re-read (step 3 of the protocol). */
export type LeaseVerdict =
  | { kind: 'fresh' }
  | { kind: 'needs_reauth' }
  | { kind: 'held' }
  | { kind: 'claim'; tookOverFrom: string | null };

/**
 * The lease rule, pure: adopt a fresh row, fail fast on needs_reauth, wait for a live owner of
 * another broker, else claim (taking over an expired lease or one whose owner is known dead).
 * `now` is the clock the lease times were written with (the database's on PostgreSQL).
 */
export function decideLease(
  p: Profile,
  input: Pick<ClaimLeaseInput, 'owner' | 'isFresh' | 'isOwnerDead'> & { now: number },
): LeaseVerdict {
  if (p.status === 'needs_reauth') return { kind: 'needs_reauth' };
  if (input.isFresh(p)) return { kind: 'fresh' };
  const holder = p.leaseOwner;
  const live =
    holder !== null &&
    holder !== input.owner &&
    (p.leaseUntil ?? 0) > input.now &&
    !input.isOwnerDead(holder);
  if (live) return { kind: 'held' };
  return { kind: 'claim', tookOverFrom: holder !== null && holder !== input.owner ? holder : null };
}
