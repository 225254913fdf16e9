import { channel } from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';
import { readEnv } from '../config/env.js';
import { ClawkeepError, isClawkeepError } from '../errors.js';
import { refreshOAuthToken } from '../providers/refresh.js';
import { getProvider } from '../providers/registry.js';
import type { RefreshFailure } from '../providers/types.js';
import { isStoreIoError } from '../store/io-errors.js';
import { profileNotFound } from '../store/profile-id.js';
import { type JournalIo, journalDirFor, RotationJournal } from '../store/rotation-journal.js';
import type { Profile, ProfileChange, ReauthReason, Store } from '../store/types.js';
import { fingerprint } from '../util/fingerprint.js';
import { invokedAs } from '../util/invoked-as.js';
import { reauthError } from './errors.js';
import { compareFreshness, pickFreshest } from './freshness.js';
import { tryClaimLease } from './lease.js';
import type { LinkedCopy, LinkedSources } from './linked.js';
import { isOwnerDead, makeOwnerId } from './owner.js';
import { PendingRotations } from './pending-rotations.js';
import { Rotation, type RotationOutcome } from './rotation.js';
import { SingleFlight } from './single-flight.js';
import { refreshAt } from './window.js';

/** Published on `clawkeep:broker` (free when nobody subscribes). Never carries a token. */
export const brokerChannel = channel('clawkeep:broker');

const FENCE_PREFIX = 'openclaw-oauth-refresh-fence:';
const MAX_ATTEMPTS = 8;
/** Claims lost to a concurrent write between read and compare-and-set before giving up (each re-reads at once). */
const MAX_LEASE_RACES = 64;
const REVIVAL_CHECK_MS = 5000;
/** While the store cannot be written, a still-valid access token is served and the store retried this often. */
const STORE_RETRY_MS = 1000;
/** While the store is unreachable, how long a still-valid in-memory token is served before trying the store again. */
const STORE_DOWN_RETRY_MS = 5000;

export interface BrokerOptions {
  store: Store;
  /** Lease lifetime; the token call times out well below it. Default $CLAWKEEP_LEASE_TTL_MS, else 30 s. */
  leaseTtlMs?: number;
  /** Token-endpoint timeout. Default $CLAWKEEP_REFRESH_TIMEOUT_MS, else leaseTtlMs / 3. */
  refreshTimeoutMs?: number;
  /** Longest a caller waits on another owner's lease. Default 2 × leaseTtlMs. */
  leaseWaitMs?: number;
  clock?: () => number;
  /** Other tools' copies of the same credentials: adopted when fresher, written back after rotations. */
  linked?: LinkedSources;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  /**
   * Folder of the pending-rotation journal (see rotation-journal.ts). Default: `pending-rotations`
   * beside a store file; null turns it off (stores without a local file, tests of other rules).
   */
  journalDir?: string | null;
  /** File calls of the journal; fault-injection tests pass a wrapper. */
  journalIo?: JournalIo;
}

/** What the gateway needs to call upstream with a profile. Held in memory on the hot path. */
export interface Credential {
  profileId: string;
  type: Profile['type'];
  access: string;
  accountId: string | null;
  generation: number;
}

interface CacheEntry extends Credential {
  refreshAt: number;
  /** When the access token stops working (Infinity for keys): served up to here while the store is down. */
  expiresAt: number;
}

/**
 * Hands out valid access tokens. Implements the refresh protocol (docs/refresh-protocol.md): hot path in memory,
 * single-flight per profile, a lease per rotation across processes, rotated tokens durable before use.
 */
export class Broker {
  readonly owner = makeOwnerId();
  #store: Store;
  #cache = new Map<string, CacheEntry>();
  #flights = new SingleFlight<Credential>();
  /** Access tokens upstream rejected, by profile: not fresh whatever their expiry says. */
  #rejected = new Map<string, string>();
  /** When linked sources were last searched for a revived login of a needs_reauth profile. */
  #revivalCheckedAt = new Map<string, number>();
  #backoff = new Map<string, { until: number; failures: number }>();
  #now: () => number;
  #leaseTtlMs: number;
  #refreshTimeoutMs: number;
  #leaseWaitMs: number;
  #env: NodeJS.ProcessEnv;
  #fetch: typeof fetch | undefined;
  #linked: LinkedSources | undefined;
  #pending: PendingRotations;
  /** Lease waiters to wake when the store signals a change of their profile. */
  #waiters = new Map<string, Set<() => void>>();

  constructor(o: BrokerOptions) {
    this.#store = o.store;
    this.#now = o.clock ?? Date.now;
    this.#env = o.env ?? process.env;
    const tuning = readEnv(this.#env);
    this.#leaseTtlMs = o.leaseTtlMs ?? tuning.CLAWKEEP_LEASE_TTL_MS ?? 30_000;
    this.#refreshTimeoutMs =
      o.refreshTimeoutMs ?? tuning.CLAWKEEP_REFRESH_TIMEOUT_MS ?? Math.floor(this.#leaseTtlMs / 3);
    this.#leaseWaitMs = o.leaseWaitMs ?? 2 * this.#leaseTtlMs;
    this.#fetch = o.fetch;
    this.#linked = o.linked;
    const dir = o.journalDir === undefined ? journalDirFor(o.store.location) : o.journalDir;
    this.#pending = new PendingRotations({
      store: o.store,
      journal: dir === null ? null : new RotationJournal(dir, o.journalIo, o.store.tokenCodec),
      owner: this.owner,
      now: this.#now,
      onCommitted: (p) => {
        if (this.#cache.has(p.id)) this.#adopt(p);
      },
    });
    // Stores with a change signal (PostgreSQL LISTEN) wake waiters at once and bring peers' rotations into memory.
    o.store.watchChanges?.((c) => this.#onStoreChange(c));
  }

  /** A valid access token (or API key) for the profile, refreshing it at most once per rotation. */
  async getAccessToken(profileId: string): Promise<string> {
    const hit = this.#cache.get(profileId);
    if (hit !== undefined && this.#now() < hit.refreshAt) return hit.access;
    return (await this.#flight(profileId)).access;
  }

  /** Like getAccessToken, with the account id and generation the upstream call needs. */
  async getCredential(profileId: string): Promise<Credential> {
    const hit = this.#cache.get(profileId);
    if (hit !== undefined && this.#now() < hit.refreshAt) return hit;
    return this.#flight(profileId);
  }

  /**
   * The single-flight cold path. When the store itself is unreachable (a PostgreSQL outage), a
   * token still valid in memory keeps being served, re-trying the store at most every 5 s.
   */
  async #flight(profileId: string): Promise<Credential> {
    try {
      return await this.#flights.run(profileId, () => this.#resolve(profileId));
    } catch (err) {
      const hit = this.#cache.get(profileId);
      const now = this.#now();
      if (!hit || hit.expiresAt <= now || !isClawkeepError(err, 'store_unreachable')) throw err;
      const entry = { ...hit, refreshAt: Math.min(hit.expiresAt, now + STORE_DOWN_RETRY_MS) };
      this.#cache.set(profileId, entry);
      return entry;
    }
  }

  /**
   * Upstream rejected `rejected` (401/403): adopt a newer stored token if another process rotated,
   * else rotate now even though the token looked valid. One attempt; the caller falls back after it.
   */
  async refreshRejected(profileId: string, rejected: string): Promise<Credential> {
    this.#cache.delete(profileId);
    return this.#flights.run(profileId, async () => {
      const p = await this.#store.getProfile(profileId);
      if (p && p.type === 'oauth' && p.status === 'ok' && p.access === rejected) {
        this.#rejected.set(profileId, rejected);
        try {
          return await this.#acquire(profileId);
        } finally {
          this.#rejected.delete(profileId);
        }
      }
      return this.#resolve(profileId);
    });
  }

  /**
   * Stops retrying held rotations in the background (they stay journaled for the next broker or
   * the doctor). Call before closing the store.
   */
  close(): void {
    this.#pending.close();
  }

  /**
   * Rotates now although the access token is still valid, so an idle login's refresh token is used
   * before the provider expires it for inactivity (keep-alive). Same lease and compare-and-set path;
   * if another process rotated meanwhile, its copy is adopted instead.
   */
  async refreshIdle(profileId: string): Promise<Credential> {
    const p = await this.#store.getProfile(profileId);
    if (!p) throw profileNotFound(profileId);
    return this.refreshRejected(profileId, p.access ?? '');
  }

  /** Drops the in-memory copy, e.g. after upstream rejected the access token. */
  forget(profileId: string): void {
    this.#cache.delete(profileId);
  }

  async #resolve(id: string): Promise<Credential> {
    const profile = await this.#store.getProfile(id);
    if (!profile) throw profileNotFound(id);
    if (profile.status === 'disabled') {
      throw new ClawkeepError(
        'profile_disabled',
        `profile ${id} is disabled; enable it with: ${invokedAs()} profiles enable ${id}`,
        {
          details: { profileId: id },
        },
      );
    }
    if (!profile.access && profile.type !== 'oauth') {
      throw new ClawkeepError(
        'profile_invalid',
        `profile ${id} holds no ${profile.type}; add one with: ${invokedAs()} profiles add-key`,
        {
          details: { profileId: id },
        },
      );
    }
    if (profile.type !== 'oauth') return this.#adopt(profile, Number.POSITIVE_INFINITY);
    if (this.#pending.isHeld(id)) {
      // Rotated tokens the store has not taken yet: serve them while the background retry works (no
      // blocking write on this path); once their window comes, try the store here, else fail loudly.
      const view = this.#pending.heldView(profile);
      if (view && this.#now() < refreshAt(view)) return this.#adopt(view);
      const s = await this.#pending.settle(profile);
      if (s.kind === 'serve') return this.#serveHeld(s.profile);
      if (s.kind === 'changed') return this.#resolve(id);
    }
    if (profile.status === 'needs_reauth') {
      // A linked tool may have logged in again since: that is a changed credential, worth adopting.
      // Looked for at most every few seconds, so a dead profile in a busy chain costs no file reads.
      const last = this.#revivalCheckedAt.get(id) ?? Number.NEGATIVE_INFINITY;
      if (this.#now() - last < REVIVAL_CHECK_MS) throw reauthError(profile, profile.statusReason);
      this.#revivalCheckedAt.set(id, this.#now());
      const s = await this.#pending.settle(profile);
      if (s.kind === 'serve') return this.#serveHeld(s.profile);
      if (s.kind === 'none' && !(await this.#adoptFresherLinked(profile)))
        throw reauthError(profile, profile.statusReason);
      return this.#acquire(id);
    }
    if (this.#isFresh(profile)) return this.#adopt(profile);
    const backoff = this.#backoff.get(id);
    if (backoff && this.#now() < backoff.until) return this.#serveStale(profile, backoff.until);
    try {
      return await this.#acquire(id);
    } catch (err) {
      // The store cannot be written (full, read-only, locked): nothing was presented; the access
      // token we hold is still good, so serve it and try the store again shortly.
      if (!isStoreIoError(err)) throw err;
      // A rotation journaled by a process whose commit failed holds the newer token: serve that.
      const served = this.#pending.peek(profile) ?? profile;
      if (!served.access || served.expires === null || served.expires <= this.#now()) throw err;
      brokerChannel.publish({ kind: 'store_unavailable', profileId: id, code: err.code });
      return this.#adopt(served, Math.min(served.expires, this.#now() + STORE_RETRY_MS));
    }
  }

  async #acquire(id: string): Promise<Credential> {
    const deadline = this.#now() + this.#leaseWaitMs;
    let pollMs = 10;
    let races = 0;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && races < MAX_LEASE_RACES; ) {
      const d = await tryClaimLease(this.#store, {
        id,
        owner: this.owner,
        now: this.#now(),
        ttlMs: this.#leaseTtlMs,
        isFresh: (p) => this.#isFresh(p),
        isOwnerDead,
      });
      switch (d.kind) {
        case 'missing':
          throw profileNotFound(id);
        case 'changed':
          // Another process wrote the row between our read and our claim: judge it again.
          races++;
          continue;
        case 'needs_reauth':
          throw reauthError(d.profile, d.profile.statusReason);
        case 'fresh':
          return this.#adopt(d.profile);
        case 'held':
          if (this.#now() > deadline) return this.#leaseTimedOut(d.profile);
          await this.#waitForChange(id, pollMs + Math.random() * pollMs);
          pollMs = Math.min(pollMs * 2, 250);
          continue;
        case 'claimed': {
          const out = await this.#rotate(d.profile);
          if (out !== null) return out;
          attempt++;
        }
      }
    }
    throw new ClawkeepError('refresh_transient', `profile ${id} kept changing while refreshing; try again`, {
      details: { profileId: id },
    });
  }

  /** Steps 4–7 with the lease held. Returns null when the row changed under us and the caller should re-read. */
  async #rotate(p: Profile): Promise<Credential | null> {
    // A rotation whose commit failed (here or in a process that died) already spent the row's
    // refresh token: bring its tokens to the store, or serve them, but never present the spent one.
    const settled = await this.#pending.settle(p);
    if (settled.kind === 'changed') return null;
    if (settled.kind === 'serve') {
      await this.#releaseQuietly(p.id);
      return this.#serveHeld(settled.profile);
    }
    // Another tool may have rotated: adopt its copy rather than present a spent token.
    if (await this.#adoptFresherLinked(p)) return null;
    const presented = p.refresh;
    if (!presented || presented.startsWith(FENCE_PREFIX) || p.access?.startsWith(FENCE_PREFIX)) {
      const reason = presented ? 'refresh_fence' : 'no_refresh_token';
      return this.#failPermanently(p, presented, reason);
    }
    const provider = getProvider(p.provider);
    // Space for the commit is set aside before the token is spent; no space, no presentation.
    const present = (refresh: string) => {
      if (brokerChannel.hasSubscribers) brokerChannel.publish({ kind: 'refresh_request', profileId: p.id });
      return refreshOAuthToken(provider, refresh, {
        timeoutMs: this.#refreshTimeoutMs,
        now: this.#now,
        env: this.#env,
        ...(this.#fetch ? { fetch: this.#fetch } : {}),
      });
    };
    const rotation = new Rotation(this.#pending, p, presented);
    let outcome: RotationOutcome;
    try {
      outcome = await rotation.run(present, (ok) => {
        if (brokerChannel.hasSubscribers)
          brokerChannel.publish({ kind: 'refresh_response', profileId: p.id, ok });
      });
    } catch (err) {
      // Nothing presented (no space for the commit): another caller may rotate at once.
      if (!rotation.spent) await this.#releaseQuietly(p.id);
      throw err;
    }
    if (outcome.kind !== 'failed') this.#backoff.delete(p.id);
    switch (outcome.kind) {
      case 'held':
        brokerChannel.publish({ kind: 'commit_held', profileId: p.id, code: outcome.code });
        // Cached like a committed rotation: the background retry commits and refreshes the cache.
        return this.#adopt(outcome.profile);
      case 'committed':
        brokerChannel.publish({ kind: 'rotated', profileId: p.id, generation: outcome.profile.generation });
        await this.#writeBack(outcome.profile);
        return this.#adopt(outcome.profile);
      case 'discarded':
        // The credential was replaced (login, import) while we refreshed: the stored one wins.
        await this.#store.appendEvent(
          {
            profileId: p.id,
            kind: 'rotation_discarded',
            data: { refreshFp: fingerprint(outcome.tokens.refresh) },
          },
          this.#now(),
        );
        return null;
      case 'failed':
        return this.#refreshFailed(p, presented, outcome.failure);
    }
  }

  /** Steps 6 and 7: the token endpoint refused (permanent) or failed (transient). */
  async #refreshFailed(p: Profile, presented: string, f: RefreshFailure): Promise<Credential | null> {
    if (f.kind === 'permanent') {
      if (await this.#adoptFresherLinked(p)) return null;
      return this.#failPermanently(p, presented, f.reason);
    }
    await this.#store.releaseLease(p.id, this.owner);
    const prev = this.#backoff.get(p.id);
    const failures = (prev?.failures ?? 0) + 1;
    const until = this.#now() + (f.retryAfterMs ?? Math.min(60_000, 1000 * 2 ** (failures - 1)));
    this.#backoff.set(p.id, { until, failures });
    await this.#store.appendEvent(
      { profileId: p.id, kind: 'refresh_failed', data: { status: f.status, code: f.code, retryAt: until } },
      this.#now(),
    );
    brokerChannel.publish({ kind: 'refresh_failed', profileId: p.id, status: f.status, code: f.code });
    return this.#serveStale(p, until);
  }

  async #failPermanently(p: Profile, presented: string | null, reason: ReauthReason): Promise<null> {
    const outcome = await this.#store.markNeedsReauth(p.id, presented, reason, this.#now());
    if (outcome.kind === 'conflict') return null;
    this.#cache.delete(p.id);
    brokerChannel.publish({ kind: 'reauth_required', profileId: p.id, reason });
    throw reauthError(outcome.profile, reason);
  }

  /** Adopts the freshest linked copy that is fresher than the row; true when the row changed. */
  async #adoptFresherLinked(p: Profile): Promise<boolean> {
    if (!this.#linked) return false;
    let copies: LinkedCopy[];
    try {
      copies = await this.#linked.read(p);
    } catch {
      return false;
    }
    const best = pickFreshest(copies.filter((c) => c.refresh !== p.refresh && compareFreshness(c, p) > 0));
    if (!best) return false;
    const outcome = await this.#store.adoptCredential(p.id, p.refresh, best, best.source, this.#now());
    if (outcome.kind === 'committed') {
      brokerChannel.publish({ kind: 'adopted', profileId: p.id, source: best.source });
      this.#cache.delete(p.id);
      // The other linked tools still hold the token that tool just spent: bring them in step too.
      await this.#writeBack(outcome.profile);
    }
    return true;
  }

  async #writeBack(p: Profile): Promise<void> {
    if (!this.#linked) return;
    try {
      const notices = await this.#linked.writeBack(p);
      if (notices && notices.length > 0) {
        await this.#store.appendEvents(
          notices.map((message) => ({
            profileId: p.id,
            kind: 'repaired' as const,
            data: { message },
            at: this.#now(),
          })),
        );
      }
    } catch (err) {
      const message = (err as Error).message;
      await this.#store.appendEvent(
        { profileId: p.id, kind: 'linked_write_failed', data: { message } },
        this.#now(),
      );
    }
  }

  /** Serves rotated tokens the store has not taken yet, until their access token expires. */
  #serveHeld(p: Profile): Credential {
    return this.#adopt(p, Math.min(p.expires ?? this.#now(), this.#now() + STORE_RETRY_MS));
  }

  async #releaseQuietly(id: string): Promise<void> {
    try {
      await this.#store.releaseLease(id, this.owner);
    } catch {
      // The lease expires on its own; the store is what failed.
    }
  }

  /** Transient trouble: keep serving the current access token while it is still valid. */
  #serveStale(p: Profile, retryAt: number): Credential {
    if (p.access && p.expires !== null && p.expires > this.#now()) {
      return this.#adopt(p, Math.min(retryAt, p.expires));
    }
    throw new ClawkeepError(
      'refresh_transient',
      `profile ${p.id}: the token endpoint is failing and the access token has expired; retrying after ${new Date(retryAt).toISOString()}`,
      { details: { profileId: p.id, retryAt } },
    );
  }

  #leaseTimedOut(p: Profile): Credential {
    if (p.access && p.expires !== null && p.expires > this.#now()) return this.#adopt(p, this.#now());
    throw new ClawkeepError(
      'lease_timeout',
      `profile ${p.id}: another process (${p.leaseOwner}) is still refreshing`,
      {
        details: { profileId: p.id, owner: p.leaseOwner },
      },
    );
  }

  /** Sleeps up to `ms`, returning early when the store signals a change of the profile. */
  async #waitForChange(id: string, ms: number): Promise<void> {
    const ac = new AbortController();
    const wake = () => ac.abort();
    const set = this.#waiters.get(id) ?? new Set<() => void>();
    this.#waiters.set(id, set);
    set.add(wake);
    try {
      await sleep(ms, undefined, { signal: ac.signal });
    } catch {
      // Woken by a change signal.
    } finally {
      set.delete(wake);
      if (set.size === 0) this.#waiters.delete(id);
    }
  }

  #onStoreChange(c: ProfileChange): void {
    if (c.scope === 'clients') return;
    const ids = c.profileId === null ? [...this.#waiters.keys()] : [c.profileId];
    for (const id of ids) for (const wake of this.#waiters.get(id) ?? []) wake();
    const cached = c.profileId === null ? [...this.#cache.keys()] : [c.profileId];
    for (const id of cached) {
      const hit = this.#cache.get(id);
      if (!hit || this.#flights.has(id)) continue;
      if (c.generation !== null && hit.generation >= c.generation) continue;
      void this.#reloadChanged(id, hit.generation);
    }
  }

  /** A peer changed the row: adopt its fresh token into memory, or forget ours so the next call re-reads. */
  async #reloadChanged(id: string, cachedGeneration: number): Promise<void> {
    let p: Profile | null;
    try {
      p = await this.#store.getProfile(id);
    } catch {
      return; // Store unreachable: keep serving what we hold while it is valid.
    }
    const hit = this.#cache.get(id);
    if (!hit || hit.generation !== cachedGeneration || this.#flights.has(id)) return;
    if (p && p.status === 'ok' && p.generation > cachedGeneration && this.#isFresh(p)) this.#adopt(p);
    else if (!p || p.generation !== cachedGeneration || p.status !== 'ok') this.#cache.delete(id);
  }

  #isFresh(p: Profile): boolean {
    return p.access !== null && this.#now() < refreshAt(p) && this.#rejected.get(p.id) !== p.access;
  }

  #adopt(p: Profile, until = refreshAt(p)): Credential {
    const entry: CacheEntry = {
      profileId: p.id,
      type: p.type,
      access: p.access!,
      accountId: p.accountId,
      generation: p.generation,
      refreshAt: until,
      expiresAt: p.expires ?? Number.POSITIVE_INFINITY,
    };
    this.#cache.set(p.id, entry);
    return entry;
  }
}
