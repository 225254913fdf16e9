import type { Logger } from 'pino';
import type { Credential } from '../../broker/broker.js';
import { refreshAt } from '../../broker/window.js';
import type { Profile } from '../../store/types.js';
import { PeriodicPass } from '../../util/periodic-pass.js';
import type { ModelAdapter } from '../adapter.js';
import type { GatewayDeps } from '../deps.js';
import { recordReading } from './observe.js';
import type { QuotaReading } from './reading.js';
import { USAGE_ENDPOINTS } from './usage-read.js';

const EVERY_MS = 5 * 60_000;
const TIMEOUT_MS = 10_000;

/**
 * The logins a pass reads: OAuth logins in service of a provider with a usage endpoint, whose last
 * reading (from traffic headers or a poll) is older than `freshMs`, and whose access token is good
 * without a refresh: reading a quota is never worth a rotation (keep-alive and traffic rotate).
 */
export function loginsToPoll(
  profiles: readonly Profile[],
  lastReadingAt: (profileId: string) => number | null,
  now: number,
  freshMs: number,
): Profile[] {
  return profiles.filter((p) => {
    if (p.type !== 'oauth' || p.status !== 'ok' || !p.access || !USAGE_ENDPOINTS.has(p.provider))
      return false;
    if (refreshAt(p) <= now) return false;
    const at = lastReadingAt(p.id);
    return at === null || now - at >= freshMs;
  });
}

export interface UsagePollOptions {
  /** The store's logins: each row holds the access token the broker last persisted. */
  listProfiles(): Promise<Profile[]>;
  adapters: ReadonlyMap<string, Pick<ModelAdapter, 'credentialHeaders'>>;
  baseUrl(provider: string): string | null;
  lastReadingAt(profileId: string): number | null;
  observe(profileId: string, reading: QuotaReading): void;
  /** Writes the readings a pass took (one write per pass, so `models status` sees them at once). */
  save(): Promise<void>;
  log: Logger;
  everyMs?: number;
}

/**
 * The credential a poll presents: the access token the broker persisted last (the store row). A poll
 * reads only logins whose token is good without a refresh, so it never rotates and cannot race one;
 * it leaves the broker's in-memory copy alone (a login the poll read is still read from the store on
 * its next request).
 */
function credentialOf(p: Profile): Credential {
  return {
    profileId: p.id,
    type: p.type,
    access: p.access ?? '',
    accountId: p.accountId,
    generation: p.generation,
  };
}

/**
 * Reads idle logins' windows from the providers' usage endpoints (Codex `wham/usage`, Claude
 * `api/oauth/usage`) at start and every 5 minutes, one login at a time, so every login has a reading
 * though no traffic brought one. Never on the request path.
 */
export class UsagePoller {
  #o: UsagePollOptions;
  #periodic: PeriodicPass;

  constructor(o: UsagePollOptions) {
    this.#o = o;
    this.#periodic = new PeriodicPass((now) => this.#pass(now), o.everyMs ?? EVERY_MS);
  }

  /** The gateway's poller: its store, broker, adapters, base URLs and quota book. */
  static forGateway(deps: GatewayDeps): UsagePoller {
    return new UsagePoller({
      listProfiles: () => deps.store.listProfiles(),
      adapters: deps.adapters,
      baseUrl: (provider) => deps.baseUrl(provider),
      lastReadingAt: (id) => deps.quotas.get(id)?.at ?? null,
      observe: (id, reading) => recordReading(deps, id, reading),
      save: () => deps.quotas.flush(),
      log: deps.log,
    });
  }

  start(): void {
    this.#periodic.start();
  }

  stop(): void {
    this.#periodic.stop();
  }

  /** One pass; concurrent calls share it, so no login ever has two polls in flight. */
  runOnce(now = Date.now()): Promise<void> {
    return this.#periodic.runOnce(now);
  }

  async #pass(now: number): Promise<void> {
    let profiles: Profile[];
    try {
      profiles = await this.#o.listProfiles();
    } catch (err) {
      this.#o.log.warn({ err: (err as Error).message }, 'usage poll could not list profiles');
      return;
    }
    const freshMs = this.#o.everyMs ?? EVERY_MS;
    const read: string[] = [];
    for (const p of loginsToPoll(profiles, this.#o.lastReadingAt, now, freshMs))
      if (await this.#poll(p)) read.push(p.id);
    if (read.length === 0) return;
    await this.#o.save();
    this.#o.log.info({ profiles: read }, `usage poll read ${read.length} idle login(s)`);
  }

  /** True when the login's windows were read. */
  async #poll(p: Profile): Promise<boolean> {
    const endpoint = USAGE_ENDPOINTS.get(p.provider);
    const adapter = this.#o.adapters.get(p.provider);
    const base = this.#o.baseUrl(p.provider);
    if (!endpoint || !adapter || !base) return false;
    const url = endpoint.url(base);
    try {
      const res = await fetch(url, {
        headers: adapter.credentialHeaders(credentialOf(p), { ...endpoint.headers }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!res.ok) {
        await res.body?.cancel();
        this.#o.log.info({ profile: p.id, status: res.status }, 'usage poll: the provider refused');
        return false;
      }
      const reading = endpoint.read(await res.json(), Date.now());
      if (reading) this.#o.observe(p.id, reading);
      return reading !== null;
    } catch (err) {
      this.#o.log.info({ profile: p.id, err: (err as Error).message }, 'usage poll failed');
      return false;
    }
  }
}
