import { compareFreshness } from '../broker/freshness.js';
import { ClawkeepError } from '../errors.js';
import type { Profile } from '../store/types.js';
import type { SourceCopy, WriteOutcome } from './adapter.js';

/** Whether two credentials belong to one provider account: true, false, or null when unknowable. */
export function sameAccount(
  a: { accountId?: string | null; email?: string | null },
  b: { accountId?: string | null; email?: string | null },
): boolean | null {
  if (a.accountId && b.accountId) return a.accountId === b.accountId;
  if (a.email && b.email) return a.email.toLowerCase() === b.email.toLowerCase();
  return null;
}

/**
 * Decides a write-back against what the file holds now: never overwrite another account's login,
 * never regress a copy the other tool rotated after us (the broker adopts it instead), skip no-ops.
 */
export function judgeWrite(location: string, held: SourceCopy | null, p: Profile): WriteOutcome | 'write' {
  if (!held) return 'write';
  if (held.refresh === p.refresh && held.access === p.access) return 'skipped';
  if (sameAccount(held, p) === false) {
    throw new ClawkeepError(
      'source_invalid',
      `${location} holds another account (${held.email ?? held.accountId}) than ${p.id}; not overwriting it. Unlink it or log that tool in again`,
      { details: { path: location, profileId: p.id } },
    );
  }
  if (compareFreshness(held, p) > 0) return 'skipped';
  return 'write';
}

/** True when the profile has a credential worth writing to other tools. */
export function isWritable(p: Profile): p is Profile & { access: string; refresh: string; expires: number } {
  return p.type === 'oauth' && Boolean(p.access) && Boolean(p.refresh) && p.expires !== null;
}
