/** One rate-limit window of a login, as the upstream last reported it. */
export interface QuotaWindow {
  /** Stable, bounded name: `primary`/`secondary` (Codex), `5h`/`7d` (Claude), `requests`/`tokens` (API keys). */
  name: string;
  /** Share of the window used, 0–1. */
  usedRatio: number;
  /** When the window starts over (epoch ms), when the upstream says. */
  resetAt: number | null;
  windowMinutes: number | null;
  /** What the window allows and what is left of it, when the upstream counts (API keys); absent in older readings. */
  limit?: number;
  remaining?: number;
  /** The upstream's own verdict (`allowed`, `allowed_warning`, `rejected`), when it gives one. */
  status: string | null;
}

/** Everything one upstream answer said about a login's quota. */
export interface QuotaReading {
  provider: string;
  windows: QuotaWindow[];
  /** Codex credits (`x-codex-credits-*`), Claude overage (`…-unified-overage-*`), binding claim, … */
  extra: Record<string, string>;
  /** When the answer was seen (epoch ms). */
  at: number;
}

/** The most-used window's share (0 when the reading has no windows). */
export function highestUse(reading: QuotaReading): number {
  let max = 0;
  for (const w of reading.windows) if (w.usedRatio > max) max = w.usedRatio;
  return max;
}

/**
 * Until when the login cannot serve (epoch ms), or null: a window used up (or `rejected`) whose reset
 * time is still ahead of `now`.
 */
export function exhaustedUntil(reading: QuotaReading, now: number): number | null {
  let until: number | null = null;
  for (const w of reading.windows) {
    const full = w.usedRatio >= 1 || w.status === 'rejected';
    if (full && w.resetAt !== null && w.resetAt > now) until = Math.max(until ?? 0, w.resetAt);
  }
  return until;
}
