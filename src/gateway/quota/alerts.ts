import type { QuotaReading, QuotaWindow } from './reading.js';

/** How full a window is, in the steps users are told about. */
export type QuotaLevel = 'ok' | 'warn_80' | 'warn_95' | 'exhausted';

/** Shares at which a window enters each level, highest first. */
export const LEVEL_RULES: ReadonlyArray<{ level: QuotaLevel; atLeast: number }> = [
  { level: 'exhausted', atLeast: 1 },
  { level: 'warn_95', atLeast: 0.95 },
  { level: 'warn_80', atLeast: 0.8 },
];

const RANK: Readonly<Record<QuotaLevel, number>> = { ok: 0, warn_80: 1, warn_95: 2, exhausted: 3 };

export function levelOf(w: QuotaWindow): QuotaLevel {
  if (w.status === 'rejected') return 'exhausted';
  for (const r of LEVEL_RULES) if (w.usedRatio >= r.atLeast) return r.level;
  return 'ok';
}

/** A window that entered a higher level, or came back under 80 % (`recovered`). */
export interface QuotaCrossing {
  profileId: string;
  window: string;
  kind: 'quota_warning' | 'quota_exhausted' | 'quota_recovered';
  level: QuotaLevel;
  usedRatio: number;
  resetAt: number | null;
}

/**
 * Compares a reading with the levels last seen (updated in place) and returns the crossings: each
 * step up is told once; sliding back within the alert levels is quiet; dropping under 80 % after any
 * alert is a recovery. A window seen for the first time starts from `ok`.
 */
export function crossingsOf(
  profileId: string,
  reading: QuotaReading,
  levels: Map<string, QuotaLevel>,
): QuotaCrossing[] {
  const out: QuotaCrossing[] = [];
  for (const w of reading.windows) {
    const before = levels.get(w.name) ?? 'ok';
    const now = levelOf(w);
    levels.set(w.name, now);
    if (RANK[now] > RANK[before]) {
      out.push({
        profileId,
        window: w.name,
        kind: now === 'exhausted' ? 'quota_exhausted' : 'quota_warning',
        level: now,
        usedRatio: w.usedRatio,
        resetAt: w.resetAt,
      });
    } else if (now === 'ok' && before !== 'ok') {
      out.push({
        profileId,
        window: w.name,
        kind: 'quota_recovered',
        level: now,
        usedRatio: w.usedRatio,
        resetAt: w.resetAt,
      });
    }
  }
  return out;
}
