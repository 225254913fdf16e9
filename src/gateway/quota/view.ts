import type { QuotaRow } from '../../store/types.js';
import type { QuotaReading } from './reading.js';

/** One window of a login, as `models status` and `--json` show it. */
export interface QuotaWindowView {
  window: string;
  usedPercent: number;
  /** ISO time the window starts over, when known. */
  resetAt: string | null;
  /** True when the reset time has passed since the reading: the share shown is stale. */
  reset: boolean;
}

export interface QuotaView {
  /** When the upstream last reported (ISO). */
  at: string;
  windows: QuotaWindowView[];
  extra: Record<string, string>;
}

/** The stored readings by profile id; unreadable rows are left out. */
export function viewQuotas(rows: readonly QuotaRow[], now: number): Map<string, QuotaView> {
  const out = new Map<string, QuotaView>();
  for (const row of rows) {
    let r: QuotaReading;
    try {
      r = JSON.parse(row.data) as QuotaReading;
    } catch {
      continue;
    }
    out.set(row.profileId, {
      at: new Date(r.at).toISOString(),
      windows: r.windows.map((w) => ({
        window: w.name,
        usedPercent: Math.round(w.usedRatio * 1000) / 10,
        resetAt: w.resetAt === null ? null : new Date(w.resetAt).toISOString(),
        reset: w.resetAt !== null && w.resetAt <= now,
      })),
      extra: r.extra,
    });
  }
  return out;
}

/** `primary 42% (resets 16:00Z), secondary 7%`: a table cell. */
export function formatQuotaCell(v: QuotaView | undefined): string {
  if (!v || v.windows.length === 0) return '-';
  return v.windows
    .map((w) => {
      if (w.reset) return `${w.window} reset`;
      const when = w.resetAt ? ` (resets ${w.resetAt.slice(5, 16).replace('T', ' ')}Z)` : '';
      return `${w.window} ${w.usedPercent}%${when}`;
    })
    .join(', ');
}
