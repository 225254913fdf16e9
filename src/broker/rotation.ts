import type { RefreshResult } from '../providers/refresh.js';
import type { RefreshFailure } from '../providers/types.js';
import type { Reservation } from '../store/rotation-journal.js';
import type { Profile, RotatedTokens } from '../store/types.js';
import type { PendingRotations } from './pending-rotations.js';

/** What one rotation came to, for the broker to act on. */
export type RotationOutcome =
  /** Stored: the new tokens are the row's. */
  | { kind: 'committed'; profile: Profile }
  /** The store could not take them yet: held in memory and the journal, retried in the background. */
  | { kind: 'held'; profile: Profile; code: string }
  /** The credential was replaced (login, import) while we refreshed: the stored one wins. */
  | { kind: 'discarded'; tokens: RotatedTokens }
  /** The token endpoint refused or failed: nothing was rotated. */
  | { kind: 'failed'; failure: RefreshFailure };

/**
 * Steps 3½ to 5 of one profile's rotation, with its lease held: set space aside for the commit,
 * present the refresh token, journal the answer, commit it. It owns its reservation and frees it in
 * one place, whatever fails; a reservation that holds a journaled rotation passes to `pending`.
 */
export class Rotation {
  readonly #pending: PendingRotations;
  readonly #profile: Profile;
  readonly #presented: string;
  #spent = false;

  constructor(pending: PendingRotations, profile: Profile, presented: string) {
    this.#pending = pending;
    this.#profile = profile;
    this.#presented = presented;
  }

  /** True once the refresh token went to the token endpoint: from then on it may be spent. */
  get spent(): boolean {
    return this.#spent;
  }

  /**
   * Runs the rotation; `present` calls the token endpoint with the refresh token. Throws when the
   * space cannot be set aside (nothing was presented then) and when the commit hits a non-I/O error
   * (the tokens stay held and journaled).
   */
  async run(
    present: (refresh: string) => Promise<RefreshResult>,
    /** Called once the endpoint's answer is in (and journaled, when it rotated), before the commit. */
    answered: (ok: boolean) => void = () => {},
  ): Promise<RotationOutcome> {
    const p = this.#profile;
    // Held until it is handed to `pending` with a journaled record; freed by `free`, and only there.
    let owned: Reservation | null = await this.#pending.reserve(p.id);
    const free = () => {
      removeQuietly(owned);
      owned = null;
    };
    try {
      this.#spent = true;
      const result = await present(this.#presented);
      if (!result.ok) {
        answered(false);
        return { kind: 'failed', failure: result.failure };
      }
      const record = this.#pending.record(p, this.#presented, result.tokens);
      let journaled: Reservation | null = null;
      if (this.#pending.journal(owned, record)) [journaled, owned] = [owned, null];
      // A journal that could not be written gives its space back before the commit needs it.
      else free();
      answered(true);
      const outcome = await this.#pending.commit(p, this.#presented, record, journaled);
      if (outcome.kind === 'held')
        return { kind: 'held', profile: outcome.profile, code: outcome.error.code };
      if (outcome.kind === 'committed') return { kind: 'committed', profile: outcome.profile };
      return { kind: 'discarded', tokens: result.tokens };
    } finally {
      free();
    }
  }
}

function removeQuietly(reservation: Reservation | null): void {
  try {
    reservation?.remove();
  } catch {
    // A reservation holds no tokens; the doctor sweeps leftovers.
  }
}
