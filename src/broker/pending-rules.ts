import type { ErrorCode } from '../errors.js';
import { fingerprint } from '../util/fingerprint.js';

/**
 * What to do with a pending rotation (rotated tokens the store has not taken yet) given the row now:
 * - `adopt`: the row still holds the refresh token that was presented, so the pending tokens are the
 *   live ones: write them to the store, and never present the row's (spent) refresh token.
 * - `settled`: the store already holds the pending refresh token: the journal entry can go.
 * - `superseded`: the row moved on (a login, an import, a removal) after the rotation: leave the file
 *   alone (it still holds a credential) and do not let it override the row.
 */
export type PendingVerdict = 'adopt' | 'settled' | 'superseded';

export interface PendingFacts {
  /** Row generation when the refresh token was presented. */
  generation: number;
  presentedFp: string;
  refreshFp: string;
}

export function judgePending(
  pending: PendingFacts,
  row: { generation: number; refresh: string | null } | null,
): PendingVerdict {
  if (row === null) return 'superseded';
  const rowFp = fingerprint(row.refresh);
  if (rowFp === pending.refreshFp) return 'settled';
  if (rowFp === pending.presentedFp && row.generation === pending.generation) return 'adopt';
  return 'superseded';
}

/**
 * After a commit of rotated tokens failed:
 * - `release_and_retry`: the disk is full: give back the space reserved before presenting, retry at once;
 * - `hold`: keep the tokens (memory + journal), serve the new access token, retry with backoff;
 * - `rethrow`: not an I/O condition (a bug): still hold the tokens, but surface the error.
 */
export type CommitFailureAction = 'release_and_retry' | 'hold' | 'rethrow';

export function decideCommitFailure(code: ErrorCode | null): CommitFailureAction {
  switch (code) {
    case 'store_full':
      return 'release_and_retry';
    case 'store_busy':
    case 'store_io':
    case 'store_readonly':
    case 'store_denied':
      return 'hold';
    default:
      return 'rethrow';
  }
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 30_000;

/** Delay before the next background commit attempt, after `failures` failed ones (≥ 1). */
export function commitRetryDelayMs(failures: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1));
}
