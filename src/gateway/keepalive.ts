import type { Logger } from 'pino';
import type { Broker } from '../broker/broker.js';
import { isClawkeepError } from '../errors.js';
import type { Profile } from '../store/types.js';
import { PeriodicPass } from '../util/periodic-pass.js';
import type { EventBuffer } from './event-buffer.js';

/** Share of the idle limit after which a login is refreshed: a weekly limit refreshes after ~5.6 days. */
const REFRESH_AT = 0.8;

/**
 * OAuth logins in service whose refresh token has not been used for `REFRESH_AT` of `idleMs`: the
 * last rotation, else when the tokens were issued or stored.
 */
export function idleLogins(profiles: readonly Profile[], now: number, idleMs: number): Profile[] {
  if (idleMs <= 0) return [];
  return profiles.filter((p) => {
    if (p.type !== 'oauth' || p.status !== 'ok' || !p.refresh) return false;
    const lastUse = Math.max(p.rotatedAt ?? 0, p.issuedAt ?? 0, p.createdAt);
    return now - lastUse >= idleMs * REFRESH_AT;
  });
}

export interface KeepAliveOptions {
  broker: Pick<Broker, 'refreshIdle'>;
  listProfiles: () => Promise<Profile[]>;
  events: Pick<EventBuffer, 'push'>;
  log: Logger;
  idleMs: number;
  checkEveryMs?: number;
}

/**
 * Refreshes idle logins through the broker, so a pool's spare accounts stay alive. Runs at start and
 * then every `checkEveryMs`; one login at a time, never on the request path.
 */
export class KeepAlive {
  #o: KeepAliveOptions;
  #periodic: PeriodicPass;

  constructor(o: KeepAliveOptions) {
    this.#o = o;
    this.#periodic = new PeriodicPass((now) => this.#pass(now), o.checkEveryMs ?? 3_600_000);
  }

  start(): void {
    if (this.#o.idleMs > 0) this.#periodic.start();
  }

  stop(): void {
    this.#periodic.stop();
  }

  /** One pass; concurrent calls share it. Returns when every idle login was tried. */
  runOnce(now = Date.now()): Promise<void> {
    return this.#periodic.runOnce(now);
  }

  async #pass(now: number): Promise<void> {
    let profiles: Profile[];
    try {
      profiles = await this.#o.listProfiles();
    } catch (err) {
      this.#o.log.error({ err: (err as Error).message }, 'keep-alive could not list profiles');
      return;
    }
    for (const p of idleLogins(profiles, now, this.#o.idleMs)) {
      const idleHours = Math.round(
        (now - Math.max(p.rotatedAt ?? 0, p.issuedAt ?? 0, p.createdAt)) / 3_600_000,
      );
      try {
        await this.#o.broker.refreshIdle(p.id);
        this.#o.events.push({
          profileId: p.id,
          kind: 'keepalive',
          data: { idleHours, outcome: 'refreshed' },
        });
        this.#o.log.info({ profile: p.id, idleHours }, `keep-alive refreshed idle login ${p.id}`);
      } catch (err) {
        const code = isClawkeepError(err) ? err.code : 'unknown';
        this.#o.events.push({ profileId: p.id, kind: 'keepalive', data: { idleHours, outcome: code } });
        this.#o.log.warn(
          { profile: p.id, idleHours, code },
          `keep-alive could not refresh ${p.id} (${code})`,
        );
      }
    }
  }
}
