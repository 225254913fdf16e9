import { ClawkeepError, isClawkeepError } from '../errors.js';
import { isStoreIoError } from '../store/io-errors.js';
import type { PendingRecord, Reservation, RotationJournal } from '../store/rotation-journal.js';
import type { Profile, RotatedTokens, Store } from '../store/types.js';
import { fingerprint } from '../util/fingerprint.js';
import { commitRetryDelayMs, decideCommitFailure, judgePending } from './pending-rules.js';

/** A rotation the store has not taken yet, kept in memory (and in the journal when it could be written). */
interface Held {
  record: PendingRecord;
  reservation: Reservation | null;
  /** The journal file holding the record; null when even the journal could not be written. */
  path: string | null;
  failures: number;
  lastError: ClawkeepError | null;
  timer: NodeJS.Timeout | null;
}

export type CommitResult =
  | { kind: 'committed'; profile: Profile }
  | { kind: 'conflict' }
  /** The store could not take the tokens: they are held (memory + journal) and retried; serve `profile`. */
  | { kind: 'held'; profile: Profile; error: ClawkeepError };

export type SettleResult =
  | { kind: 'none' }
  /** The store now holds a pending rotation (or the row moved): re-read it. */
  | { kind: 'changed' }
  /** Pending tokens exist that the store cannot take yet: serve them, never present the row's token. */
  | { kind: 'serve'; profile: Profile };

export interface PendingRotationsOptions {
  store: Store;
  journal: RotationJournal | null;
  owner: string;
  now: () => number;
  /** Told when a held rotation finally reaches the store (the broker refreshes its cache). */
  onCommitted?: (profile: Profile) => void;
}

/**
 * Makes the outside action of a rotation safe: space is reserved before a refresh token is presented,
 * the rotated tokens are journaled before the store commit, and a failed commit keeps them (memory +
 * 0600 journal file), serves them, and retries with backoff. Any broker (or the doctor) adopts a
 * journal file whose presented token the row still holds.
 */
export class PendingRotations {
  #o: PendingRotationsOptions;
  #held = new Map<string, Held>();

  constructor(o: PendingRotationsOptions) {
    this.#o = o;
  }

  get journalDir(): string | null {
    return this.#o.journal?.dir ?? null;
  }

  isHeld(profileId: string): boolean {
    return this.#held.has(profileId);
  }

  /**
   * The row as the held rotation of this profile will make it, while the row still holds the token
   * that rotation spent; null otherwise. Served from memory while the background retry works.
   */
  heldView(p: Profile): Profile | null {
    const h = this.#held.get(p.id);
    return h && judgePending(h.record, p) === 'adopt' ? withTokens(p, h.record.tokens) : null;
  }

  /**
   * Step 3½: set space aside for the commit, and learn the store's key to seal the journaled tokens
   * with. Throws a store error when it cannot: do not present then.
   */
  async reserve(profileId: string): Promise<Reservation | null> {
    const journal = this.#o.journal;
    if (!journal) return null;
    const r = journal.reserve(profileId);
    try {
      r.keyId = await this.#o.store.tokenKeyId();
    } catch (err) {
      r.remove();
      throw err;
    }
    return r;
  }

  /** Writes the rotated tokens to the journal (before the store). False when it could not. */
  journal(reservation: Reservation | null, record: PendingRecord): boolean {
    if (!reservation) return false;
    try {
      reservation.write(record);
      return true;
    } catch {
      return false;
    }
  }

  record(p: Profile, presented: string, tokens: RotatedTokens): PendingRecord {
    return {
      version: 1,
      kind: 'clawkeep-pending-rotation',
      profileId: p.id,
      generation: p.generation,
      presentedFp: fingerprint(presented),
      refreshFp: fingerprint(tokens.refresh),
      owner: this.#o.owner,
      at: this.#o.now(),
      tokens,
    };
  }

  /** Step 5: commit; on an I/O failure free the reservation, retry once, else hold the tokens. */
  async commit(
    p: Profile,
    presented: string,
    record: PendingRecord,
    reservation: Reservation | null,
  ): Promise<CommitResult> {
    let error: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const out = await this.#o.store.commitRotation(p.id, presented, record.tokens, this.#o.now());
        this.#forget(reservation);
        return out.kind === 'committed' ? { kind: 'committed', profile: out.profile } : { kind: 'conflict' };
      } catch (err) {
        error = err;
        const action = decideCommitFailure(isClawkeepError(err) ? err.code : null);
        if (action !== 'release_and_retry' || attempt > 0) break;
        reservation?.release();
      }
    }
    const held = this.#hold(record, reservation, asStoreError(error));
    if (!isStoreIoError(error)) {
      // Not an I/O condition: the tokens stay held and journaled, but the bug must surface.
      throw error;
    }
    return { kind: 'held', profile: withTokens(p, record.tokens), error: held.lastError! };
  }

  /**
   * Before presenting a refresh token (and when a held rotation may have become committable): brings
   * every pending rotation of this profile to the store, or says what to serve instead.
   */
  async settle(p: Profile): Promise<SettleResult> {
    const held = this.#held.get(p.id);
    const candidates: Array<{ record: PendingRecord; path: string | null }> = held
      ? [{ record: held.record, path: held.path }]
      : [];
    if (this.#o.journal) {
      for (const f of this.#o.journal.list(p.id).files) {
        if (f.path !== held?.path) candidates.push(f);
      }
    }
    for (const c of candidates) {
      const verdict = judgePending(c.record, p);
      if (verdict === 'superseded') {
        // The row moved on (login, import): stop serving these, but keep the file (it holds a credential).
        if (held?.record === c.record) this.#drop(p.id, { keepFile: true });
        continue;
      }
      if (verdict === 'settled') {
        if (held?.record === c.record) this.#drop(p.id);
        else if (c.path) this.#removeQuietly(c.path);
        continue;
      }
      try {
        const out = await this.#o.store.commitRotation(p.id, p.refresh!, c.record.tokens, this.#o.now());
        if (held?.record === c.record) this.#drop(p.id);
        else if (c.path) this.#removeQuietly(c.path);
        if (out.kind === 'committed') this.#o.onCommitted?.(out.profile);
        return { kind: 'changed' };
      } catch (err) {
        if (!isStoreIoError(err)) throw err;
        const h = held?.record === c.record ? held : this.#hold(c.record, null, err, c.path);
        h.lastError = err;
        const profile = withTokens(p, c.record.tokens);
        if (profile.expires !== null && profile.expires > this.#o.now()) return { kind: 'serve', profile };
        throw heldError(p, h);
      }
    }
    return { kind: 'none' };
  }

  /**
   * The row as a pending rotation would make it, without writing anything: what to serve while the
   * store cannot be written at all (locked, full). Null when nothing is pending or it cannot be read.
   */
  peek(p: Profile): Profile | null {
    const held = this.#held.get(p.id);
    let files: Array<{ record: PendingRecord }> = [];
    try {
      files = this.#o.journal?.list(p.id).files ?? [];
    } catch {
      // Unreadable journal: nothing to add to what memory holds.
    }
    for (const c of held ? [held, ...files] : files) {
      if (judgePending(c.record, p) !== 'adopt') continue;
      const served = withTokens(p, c.record.tokens);
      if (served.expires !== null && served.expires > this.#o.now()) return served;
    }
    return null;
  }

  /** Stops background retries and closes reservation files; journaled tokens stay on disk. */
  close(): void {
    for (const h of this.#held.values()) {
      if (h.timer) clearTimeout(h.timer);
      h.reservation?.close();
    }
    this.#held.clear();
  }

  #hold(
    record: PendingRecord,
    reservation: Reservation | null,
    error: ClawkeepError,
    path?: string | null,
  ): Held {
    const prev = this.#held.get(record.profileId);
    if (prev?.timer) clearTimeout(prev.timer);
    const held: Held = {
      record,
      reservation,
      path: path !== undefined ? path : reservation?.written ? reservation.path : null,
      failures: (prev?.record === record ? prev.failures : 0) + 1,
      lastError: error,
      timer: null,
    };
    this.#held.set(record.profileId, held);
    this.#schedule(held);
    return held;
  }

  #schedule(h: Held): void {
    h.timer = setTimeout(() => void this.#retry(h), commitRetryDelayMs(h.failures));
    h.timer.unref();
  }

  async #retry(h: Held): Promise<void> {
    if (this.#held.get(h.record.profileId) !== h) return;
    h.timer = null;
    if (h.path === null) await this.#journalLate(h);
    try {
      const row = await this.#o.store.getProfile(h.record.profileId);
      if (row) await this.settle(row);
      else this.#drop(h.record.profileId, { keepFile: true });
    } catch (err) {
      h.lastError = asStoreError(err);
    }
    if (this.#held.get(h.record.profileId) === h) {
      h.failures++;
      this.#schedule(h);
    }
  }

  /** The journal could not be written when the tokens arrived: try again, so they outlive this process. */
  async #journalLate(h: Held): Promise<void> {
    if (!this.#o.journal) return;
    try {
      const r = await this.reserve(h.record.profileId);
      if (!r) return;
      try {
        r.write(h.record);
      } catch {
        r.remove();
        return;
      }
      r.release();
      h.reservation = r;
      h.path = r.path;
    } catch {
      // Still failing: memory holds the tokens; the next attempt tries again.
    }
  }

  #drop(profileId: string, o: { keepFile?: boolean } = {}): void {
    const h = this.#held.get(profileId);
    if (!h) return;
    this.#held.delete(profileId);
    if (h.timer) clearTimeout(h.timer);
    if (o.keepFile) h.reservation?.close();
    else if (h.reservation) this.#forget(h.reservation);
    else if (h.path) this.#removeQuietly(h.path);
  }

  /** The store holds the tokens now: the journal file and its reservation can go. */
  #forget(reservation: Reservation | null): void {
    if (!reservation) return;
    try {
      reservation.remove();
    } catch {
      // A leftover file whose tokens the store holds: the next broker or the doctor removes it.
      reservation.close();
    }
  }

  #removeQuietly(path: string): void {
    try {
      this.#o.journal?.remove(path);
    } catch {
      // Left for the doctor; the store already holds these tokens.
    }
  }
}

/** The row as it will be once the pending tokens are committed (served from memory meanwhile). */
function withTokens(p: Profile, t: RotatedTokens): Profile {
  return {
    ...p,
    access: t.access,
    refresh: t.refresh,
    expires: t.expires,
    issuedAt: t.issuedAt,
    accountId: t.accountId ?? p.accountId,
    email: t.email ?? p.email,
    generation: p.generation + 1,
    status: 'ok',
    statusReason: null,
    leaseOwner: null,
    leaseUntil: null,
  };
}

function asStoreError(err: unknown): ClawkeepError {
  if (isClawkeepError(err)) return err;
  return new ClawkeepError('store_io', `the store commit failed: ${(err as Error)?.message ?? String(err)}`, {
    cause: err,
  });
}

function heldError(p: Profile, h: Held): ClawkeepError {
  const where = h.path
    ? `kept in ${h.path}`
    : 'kept in memory only (the journal could not be written either)';
  const cause = h.lastError;
  return new ClawkeepError(
    cause?.code ?? 'store_io',
    `profile ${p.id}: its rotated tokens are ${where} because the store cannot be written (${cause?.message ?? 'unknown'}). ` +
      'Fix the store, then run: clawkeep doctor --fix',
    { cause, details: { profileId: p.id, pending: h.path, fix: 'clawkeep doctor --fix' } },
  );
}
