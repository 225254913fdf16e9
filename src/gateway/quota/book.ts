import type { Logger } from 'pino';
import type { Store } from '../../store/types.js';
import { crossingsOf, type QuotaCrossing, type QuotaLevel } from './alerts.js';
import { exhaustedUntil, highestUse, type QuotaReading, type QuotaWindow } from './reading.js';

/** Windows at least this long are a plan's (Codex 5 h and weekly, Claude 5 h and 7 d): drained first. */
const PLAN_WINDOW_MINUTES = 60;

/**
 * The last quota reading of every profile, in memory. Readings come from upstream answers on the
 * request path and cost a map update; the store gets the changed ones at most every `saveEveryMs`,
 * in the background. Crossings of the alert levels go to `onCrossing`.
 */
export class QuotaBook {
  #readings = new Map<string, QuotaReading>();
  #levels = new Map<string, Map<string, QuotaLevel>>();
  #dirty = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  #store: Store;
  #log: Logger;
  #saveEveryMs: number;
  #onCrossing: (c: QuotaCrossing) => void;

  constructor(o: {
    store: Store;
    log: Logger;
    saveEveryMs?: number;
    onCrossing?: (c: QuotaCrossing) => void;
  }) {
    this.#store = o.store;
    this.#log = o.log;
    this.#saveEveryMs = o.saveEveryMs ?? 5000;
    this.#onCrossing = o.onCrossing ?? (() => {});
  }

  /** Restores the stored readings, so a restart neither forgets a quota nor repeats its alerts. */
  async load(): Promise<void> {
    for (const row of await this.#store.listQuotas()) {
      try {
        const reading = JSON.parse(row.data) as QuotaReading;
        this.#readings.set(row.profileId, reading);
        crossingsOf(row.profileId, reading, this.#levelsOf(row.profileId));
      } catch {
        this.#log.warn({ profile: row.profileId }, 'ignored an unreadable stored quota reading');
      }
    }
  }

  /** Takes a reading for `profileId`: windows it names replace the old ones, others stay. */
  observe(profileId: string, reading: QuotaReading): QuotaCrossing[] {
    const old = this.#readings.get(profileId);
    const merged: QuotaReading = old
      ? {
          ...reading,
          windows: mergeWindows(old.windows, reading.windows),
          extra: { ...old.extra, ...reading.extra },
        }
      : reading;
    this.#readings.set(profileId, merged);
    const crossings = crossingsOf(profileId, reading, this.#levelsOf(profileId));
    for (const c of crossings) {
      try {
        this.#onCrossing(c);
      } catch (err) {
        this.#log.error({ err: (err as Error).message }, 'quota alert failed');
      }
    }
    this.#dirty.add(profileId);
    this.#timer ??= setTimeout(() => void this.flush(), this.#saveEveryMs).unref();
    return crossings;
  }

  get(profileId: string): QuotaReading | null {
    return this.#readings.get(profileId) ?? null;
  }

  entries(): Array<[string, QuotaReading]> {
    return [...this.#readings.entries()];
  }

  /**
   * What is left of the profile's most-used window (0–1): 1 when nothing is known, 0 while it is
   * exhausted. A window whose reset time has passed counts as empty again.
   */
  headroom(profileId: string, now: number): number {
    const r = this.#readings.get(profileId);
    if (!r) return 1;
    if (exhaustedUntil(r, now) !== null) return 0;
    const live = r.windows.filter((w) => w.resetAt === null || w.resetAt > now);
    return 1 - highestUse({ ...r, windows: live });
  }

  /**
   * When the profile's soonest plan window (an hour or longer) starts over (epoch ms); `idle` when
   * that reset has passed since the reading (the window starts again at the next call); null when no
   * reading gives one.
   */
  resetsAt(profileId: string, now: number): number | 'idle' | null {
    const r = this.#readings.get(profileId);
    let soonest: number | null = null;
    for (const w of r?.windows ?? []) {
      // Only plan windows (hours or days) lapse in a way worth draining; an API key's per-minute
      // limits start over all the time and say nothing about which login to use first.
      if (w.resetAt === null || w.windowMinutes === null || w.windowMinutes < PLAN_WINDOW_MINUTES) continue;
      soonest = Math.min(soonest ?? w.resetAt, w.resetAt);
    }
    if (soonest === null) return null;
    return soonest > now ? soonest : 'idle';
  }

  /** Until when the profile's quota is used up (epoch ms), or null. */
  exhaustedUntil(profileId: string, now: number): number | null {
    const r = this.#readings.get(profileId);
    return r ? exhaustedUntil(r, now) : null;
  }

  /** Writes the readings that changed since the last write. */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const ids = [...this.#dirty];
    this.#dirty.clear();
    for (const id of ids) {
      const r = this.#readings.get(id);
      if (!r) continue;
      try {
        await this.#store.saveQuota(id, JSON.stringify(r), r.at);
      } catch (err) {
        this.#log.error({ err: (err as Error).message, profile: id }, 'could not save a quota reading');
      }
    }
  }

  #levelsOf(profileId: string): Map<string, QuotaLevel> {
    let m = this.#levels.get(profileId);
    if (!m) {
      m = new Map();
      this.#levels.set(profileId, m);
    }
    return m;
  }
}

function mergeWindows(old: readonly QuotaWindow[], fresh: readonly QuotaWindow[]): QuotaWindow[] {
  const byName = new Map(old.map((w) => [w.name, w]));
  for (const w of fresh) byName.set(w.name, w);
  return [...byName.values()];
}
