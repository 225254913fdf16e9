import type { QuotaRow } from '../../store/types.js';
import { formatLocalClock } from '../../util/local-time.js';
import type { QuotaReading } from './reading.js';

/** One window of a login, as `models status` and `--json` show it. */
export interface QuotaWindowView {
  window: string;
  usedPercent: number;
  /** Requests or tokens used and allowed in the window, when the upstream counts (API keys). */
  used: number | null;
  limit: number | null;
  /** The window's length, when known (1 for API keys' per-minute limits, 300 for a 5-hour window). */
  windowMinutes: number | null;
  /** What is used, as people read it: `12/50 per minute`, `42% of 5h` (the CLI and the dashboard show it). */
  amount: string;
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
      windows: r.windows.map((w) => {
        const counted = typeof w.limit === 'number' && typeof w.remaining === 'number';
        const counts = {
          usedPercent: Math.round(w.usedRatio * 1000) / 10,
          used: counted ? w.limit! - w.remaining! : null,
          limit: counted ? w.limit! : null,
          windowMinutes: w.windowMinutes ?? null,
        };
        return {
          window: w.name,
          ...counts,
          amount: formatAmount(counts),
          resetAt: w.resetAt === null ? null : new Date(w.resetAt).toISOString(),
          reset: w.resetAt !== null && w.resetAt <= now,
        };
      }),
      extra: r.extra,
    });
  }
  return out;
}

/**
 * A table cell: `requests 12/50 per minute, resets 14:02; tokens 3100/40000 per minute, resets 14:02`,
 * `primary 42% of 5h, resets 16:00`. A window that has started over since the reading says nothing (its
 * count is gone); no current window is `-`.
 */
export function formatQuotaCell(v: QuotaView | undefined, now = Date.now()): string {
  const live = (v?.windows ?? []).filter((w) => !w.reset);
  if (live.length === 0) return '-';
  return live
    .map((w) => {
      const when = w.resetAt ? `, resets ${formatLocalClock(Date.parse(w.resetAt), now)}` : '';
      return `${w.window} ${w.amount}${when}`;
    })
    .join('; ');
}

/** `12/50 per minute` when the upstream counts, else `42% of 5h`; no length when none is known. */
function formatAmount(w: Pick<QuotaWindowView, 'used' | 'limit' | 'usedPercent' | 'windowMinutes'>): string {
  const span = w.windowMinutes ? formatWindow(w.windowMinutes) : null;
  return w.used !== null && w.limit !== null
    ? `${w.used}/${w.limit}${span ? ` per ${span}` : ''}`
    : `${w.usedPercent}%${span ? ` of ${span}` : ''}`;
}

/** `minute`, `hour`, `5h`, `day`, `7d`, `90 min`. */
function formatWindow(minutes: number): string {
  if (minutes === 1) return 'minute';
  if (minutes === 60) return 'hour';
  if (minutes === 1440) return 'day';
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes} min`;
}
