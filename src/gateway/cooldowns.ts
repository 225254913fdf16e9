import type { FallbackReason } from './fallback-rules.js';

/** Client-chosen model names key cooldowns: the map must not grow with them. */
const MAX_ENTRIES = 10_000;

/** Per (profile, model) rest periods; a target cooling down is skipped without an upstream call. */
export class Cooldowns {
  #until = new Map<string, { until: number; reason: FallbackReason }>();
  #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  set(profileId: string, model: string, ms: number, reason: FallbackReason): number {
    const until = this.#now() + ms;
    if (ms <= 0) return until;
    if (this.#until.size >= MAX_ENTRIES) this.#evict();
    this.#until.set(`${profileId}|${model}`, { until, reason });
    return until;
  }

  /** Bounded like the metric labels: expired entries go first, then the oldest. */
  #evict(): void {
    const now = this.#now();
    for (const [k, c] of this.#until) if (c.until <= now) this.#until.delete(k);
    while (this.#until.size >= MAX_ENTRIES) {
      const oldest = this.#until.keys().next().value;
      if (oldest === undefined) break;
      this.#until.delete(oldest);
    }
  }

  /** The active cooldown, or null. */
  get(profileId: string, model: string): { until: number; reason: FallbackReason } | null {
    const key = `${profileId}|${model}`;
    const c = this.#until.get(key);
    if (!c) return null;
    if (c.until <= this.#now()) {
      this.#until.delete(key);
      return null;
    }
    return c;
  }

  list(): Array<{ profileId: string; model: string; until: number; reason: FallbackReason }> {
    const now = this.#now();
    return [...this.#until.entries()]
      .filter(([, c]) => c.until > now)
      .map(([k, c]) => {
        const [profileId, model] = k.split('|') as [string, string];
        return { profileId, model, ...c };
      });
  }
}
