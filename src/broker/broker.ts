import { channel } from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClawkeepError } from '../errors.js';
import { refreshOAuthToken } from '../providers/refresh.js';
import { getProvider } from '../providers/registry.js';
import { profileNotFound } from '../store/profile-id.js';
import type { Profile, ReauthReason, Store } from '../store/types.js';
import { fingerprint } from '../util/fingerprint.js';
import { reauthError } from './errors.js';
import { compareFreshness, pickFreshest } from './freshness.js';
import type { LinkedCopy, LinkedSources } from './linked.js';
import { isOwnerDead, makeOwnerId } from './owner.js';
import { SingleFlight } from './single-flight.js';
import { refreshAt } from './window.js';

/** Published on `clawkeep:broker` (free when nobody subscribes). Never carries a token. */
export const brokerChannel = channel('clawkeep:broker');

const FENCE_PREFIX = 'openclaw-oauth-refresh-fence:';
const MAX_ATTEMPTS = 8;
const REVIVAL_CHECK_MS = 5000;

export interface BrokerOptions {
  store: Store;
  /** Lease lifetime; the token call times out well below it. Default 30 s. */
  leaseTtlMs?: number;
  /** Token-endpoint timeout. Default leaseTtlMs / 3. */
  refreshTimeoutMs?: number;
  /** Longest a caller waits on another owner's lease. Default 2 × leaseTtlMs. */
  leaseWaitMs?: number;
  clock?: () => number;
  /** Other tools' copies of the same credentials: adopted when fresher, written back after rotations. */
  linked?: LinkedSources;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
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
}

/**
 * Hands out valid access tokens. Implements the refresh protocol of DESIGN.md: hot path in memory,
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

  constructor(o: BrokerOptions) {
    this.#store = o.store;
    this.#now = o.clock ?? Date.now;
    this.#leaseTtlMs = o.leaseTtlMs ?? 30_000;
    this.#refreshTimeoutMs = o.refreshTimeoutMs ?? Math.floor(this.#leaseTtlMs / 3);
    this.#leaseWaitMs = o.leaseWaitMs ?? 2 * this.#leaseTtlMs;
    this.#env = o.env ?? process.env;
    this.#fetch = o.fetch;
    this.#linked = o.linked;
  }

  /** A valid access token (or API key) for the profile, refreshing it at most once per rotation. */
  async getAccessToken(profileId: string): Promise<string> {
    const hit = this.#cache.get(profileId);
    if (hit !== undefined && this.#now() < hit.refreshAt) return hit.access;
    return (await this.#flights.run(profileId, () => this.#resolve(profileId))).access;
  }

  /** Like getAccessToken, with the account id and generation the upstream call needs. */
  async getCredential(profileId: string): Promise<Credential> {
    const hit = this.#cache.get(profileId);
    if (hit !== undefined && this.#now() < hit.refreshAt) return hit;
    return this.#flights.run(profileId, () => this.#resolve(profileId));
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
        `profile ${id} is disabled; enable it with: clawkeep profiles enable ${id}`,
        {
          details: { profileId: id },
        },
      );
    }
    if (!profile.access && profile.type !== 'oauth') {
      throw new ClawkeepError(
        'profile_invalid',
        `profile ${id} holds no ${profile.type}; add one with: clawkeep profiles add-key`,
        {
          details: { profileId: id },
        },
      );
    }
    if (profile.type !== 'oauth') return this.#adopt(profile, Number.POSITIVE_INFINITY);
    if (profile.status === 'needs_reauth') {
      // A linked tool may have logged in again since: that is a changed credential, worth adopting.
      // Looked for at most every few seconds, so a dead profile in a busy chain costs no file reads.
      const last = this.#revivalCheckedAt.get(id) ?? Number.NEGATIVE_INFINITY;
      if (this.#now() - last < REVIVAL_CHECK_MS) throw reauthError(profile, profile.statusReason);
      this.#revivalCheckedAt.set(id, this.#now());
      if (!(await this.#adoptFresherLinked(profile))) throw reauthError(profile, profile.statusReason);
      return this.#acquire(id);
    }
    if (this.#isFresh(profile)) return this.#adopt(profile);
    const backoff = this.#backoff.get(id);
    if (backoff && this.#now() < backoff.until) return this.#serveStale(profile, backoff.until);
    return this.#acquire(id);
  }

  async #acquire(id: string): Promise<Credential> {
    const deadline = this.#now() + this.#leaseWaitMs;
    let pollMs = 10;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; ) {
      const d = await this.#store.claimLease({
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
        case 'needs_reauth':
          throw reauthError(d.profile, d.profile.statusReason);
        case 'fresh':
          return this.#adopt(d.profile);
        case 'held':
          if (this.#now() > deadline) return this.#leaseTimedOut(d.profile);
          await sleep(pollMs + Math.random() * pollMs);
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
    // Another tool may have rotated: adopt its copy rather than present a spent token.
    if (await this.#adoptFresherLinked(p)) return null;
    const presented = p.refresh;
    if (!presented || presented.startsWith(FENCE_PREFIX) || p.access?.startsWith(FENCE_PREFIX)) {
      const reason = presented ? 'refresh_fence' : 'no_refresh_token';
      return this.#failPermanently(p, presented, reason);
    }
    const provider = getProvider(p.provider);
    if (brokerChannel.hasSubscribers) brokerChannel.publish({ kind: 'refresh_request', profileId: p.id });
    const result = await refreshOAuthToken(provider, presented, {
      timeoutMs: this.#refreshTimeoutMs,
      now: this.#now,
      env: this.#env,
      ...(this.#fetch ? { fetch: this.#fetch } : {}),
    });
    if (brokerChannel.hasSubscribers)
      brokerChannel.publish({ kind: 'refresh_response', profileId: p.id, ok: result.ok });
    if (result.ok) {
      const outcome = await this.#store.commitRotation(p.id, presented, result.tokens, this.#now());
      this.#backoff.delete(p.id);
      if (outcome.kind === 'committed') {
        brokerChannel.publish({ kind: 'rotated', profileId: p.id, generation: outcome.profile.generation });
        await this.#writeBack(outcome.profile);
        return this.#adopt(outcome.profile);
      }
      // The credential was replaced (login, import) while we refreshed: the stored one wins.
      await this.#store.appendEvent(
        {
          profileId: p.id,
          kind: 'rotation_discarded',
          data: { refreshFp: fingerprint(result.tokens.refresh) },
        },
        this.#now(),
      );
      return null;
    }
    const f = result.failure;
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
    }
    return true;
  }

  async #writeBack(p: Profile): Promise<void> {
    if (!this.#linked) return;
    try {
      await this.#linked.writeBack(p);
    } catch (err) {
      const message = (err as Error).message;
      await this.#store.appendEvent(
        { profileId: p.id, kind: 'linked_write_failed', data: { message } },
        this.#now(),
      );
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
    };
    this.#cache.set(p.id, entry);
    return entry;
  }
}
