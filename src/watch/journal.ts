import type { Logger } from 'pino';
import type { Finding } from '../doctor/types.js';
import { notifyWebhook } from '../runtime/webhook.js';
import type { EventKind, Store } from '../store/types.js';
import type { WatchMetrics } from './metrics.js';

/** What the guardian did or found, as recorded in the clawkeep store (`data.source = 'watch'`). */
export interface WatchRecord {
  kind: Extract<EventKind, 'repaired' | 'reauth_required'>;
  cause: string;
  home: string;
  message: string;
  agentId?: string;
  openclawProfile?: string;
  code?: string;
  fingerprints?: Record<string, string>;
  extra?: Record<string, unknown>;
}

/** The identity of something that needs a person: announced once, whichever guardian sees it first. */
export function causeOf(f: Finding): string {
  const fp = f.fingerprints ? Object.values(f.fingerprints).join(',') : '';
  return ['reauth', f.home ?? 'clawkeep', f.agentId ?? '', f.profileId ?? '', f.code, fp].join('|');
}

/**
 * The guardian's journal: every action as an event in the clawkeep store, and what needs a person
 * announced through the log (warn) and the webhook, once per cause. Causes already announced are read
 * back from the store (by any guardian sharing it), so a restart or a second guardian stays quiet.
 */
export class WatchJournal {
  #store: Store | null;
  #log: Logger;
  #webhook: string | undefined;
  #metrics: WatchMetrics | undefined;
  #announced = new Set<string>();
  /** Announced re-auth causes not yet seen resolved (the `needs_person` gauge). */
  #open = new Set<string>();
  #seenSeq = 0;

  constructor(o: { store: Store | null; log: Logger; webhook?: string; metrics?: WatchMetrics }) {
    this.#store = o.store;
    this.#log = o.log;
    this.#webhook = o.webhook;
    this.#metrics = o.metrics;
  }

  /** Reads the causes announced since the last call (call it under the doctor lock before deciding). */
  async catchUp(): Promise<void> {
    if (!this.#store) return;
    for (;;) {
      const events = await this.#store.listEvents({ afterSeq: this.#seenSeq, limit: 1000 });
      for (const e of events) {
        this.#seenSeq = e.seq;
        if (e.kind === 'reauth_required' && e.data.source === 'watch' && typeof e.data.cause === 'string') {
          if (!this.#announced.has(e.data.cause)) this.#open.add(e.data.cause);
          this.#announced.add(e.data.cause);
        }
      }
      this.#metrics?.needsPerson.set(this.#open.size);
      if (events.length < 1000) return;
    }
  }

  isAnnounced(cause: string): boolean {
    return this.#announced.has(cause);
  }

  /**
   * After a diagnosis of `home` (`agents`: the agents it covered, null for all): announced re-auth
   * causes there that it no longer finds (`present`) are resolved (a new login, a recovered fence) and
   * leave the `needs_person` gauge. They stay announced: the same dead token is never announced twice.
   */
  settle(home: string, agents: string[] | null, present: Set<string>): void {
    for (const cause of this.#open) {
      const [kind, causeHome, agent] = cause.split('|');
      if (kind !== 'reauth' || causeHome !== home) continue;
      if (agents !== null && !agents.includes(agent ?? '')) continue;
      if (!present.has(cause)) this.#open.delete(cause);
    }
    this.#metrics?.needsPerson.set(this.#open.size);
  }

  /** Records an action (`repaired`) in the store and the log. */
  async record(r: WatchRecord, now: number): Promise<void> {
    this.#log.info({ ...summary(r) }, r.message);
    this.#metrics?.repairs.inc({ home: r.home, cause: r.cause });
    await this.#append(r, now);
  }

  /** Announces something that needs a person, once per cause: log (warn), webhook, `reauth_required` event. */
  async announce(r: WatchRecord, now: number): Promise<boolean> {
    if (this.#announced.has(r.cause)) return false;
    this.#announced.add(r.cause);
    this.#open.add(r.cause);
    this.#metrics?.announcements.inc({ home: r.home, code: r.code ?? r.kind });
    this.#metrics?.needsPerson.set(this.#open.size);
    this.#log.warn({ ...summary(r), needsPerson: true }, r.message);
    notifyWebhook(
      this.#webhook,
      { type: 'clawkeep.watch', at: now, ...summary(r), message: r.message },
      this.#log,
    );
    await this.#append(r, now);
    return true;
  }

  async #append(r: WatchRecord, now: number): Promise<void> {
    if (!this.#store) return;
    await this.#store.appendEvent(
      { profileId: null, kind: r.kind, data: { source: 'watch', ...summary(r) } },
      now,
    );
  }
}

function summary(r: WatchRecord): Record<string, unknown> {
  return {
    kind: r.kind,
    cause: r.cause,
    home: r.home,
    ...(r.agentId ? { agent: r.agentId } : {}),
    ...(r.openclawProfile ? { openclawProfile: r.openclawProfile } : {}),
    ...(r.code ? { code: r.code } : {}),
    ...(r.fingerprints ? { fingerprints: r.fingerprints } : {}),
    ...(r.extra ?? {}),
  };
}
