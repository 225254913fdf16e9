import type { QuotaReading, QuotaWindow } from './reading.js';

/**
 * The providers' usage endpoints (read for idle logins): where each lives relative to the provider's
 * base URL, the headers it wants besides the credential's, and how its answer becomes a reading.
 */
export interface UsageEndpoint {
  url(baseUrl: string): string;
  headers: Record<string, string>;
  read(body: unknown, now: number): QuotaReading | null;
}

export const USAGE_ENDPOINTS: ReadonlyMap<string, UsageEndpoint> = new Map<string, UsageEndpoint>([
  [
    'openai-codex',
    {
      // https://chatgpt.com/backend-api/codex → https://chatgpt.com/backend-api/wham/usage
      url: (base) => `${base.replace(/\/+$/, '').replace(/\/codex$/, '')}/wham/usage`,
      headers: { accept: 'application/json' },
      read: readCodexUsage,
    },
  ],
  [
    'anthropic',
    {
      url: (base) => `${base.replace(/\/+$/, '')}/api/oauth/usage`,
      headers: { accept: 'application/json' },
      read: readClaudeUsage,
    },
  ],
]);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A percent (0–100) as a share, held to 0–1. */
const ratio = (percent: number): number => Math.min(1, Math.max(0, percent / 100));
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** `GET …/wham/usage`: `rate_limit.{primary,secondary}_window` (used_percent, seconds, reset_at in unix s). */
export function readCodexUsage(body: unknown, now: number): QuotaReading | null {
  if (!isObject(body)) return null;
  const limit = isObject(body.rate_limit) ? body.rate_limit : null;
  const windows: QuotaWindow[] = [];
  for (const name of ['primary', 'secondary'] as const) {
    const w = limit?.[`${name}_window`];
    if (!isObject(w)) continue;
    const used = num(w.used_percent);
    if (used === null) continue;
    const seconds = num(w.limit_window_seconds);
    const resetAt = num(w.reset_at);
    const after = num(w.reset_after_seconds);
    windows.push({
      name,
      usedRatio: ratio(used),
      resetAt: resetAt !== null ? resetAt * 1000 : after !== null ? now + after * 1000 : null,
      windowMinutes: seconds !== null && seconds > 0 ? Math.round(seconds / 60) : null,
      status: limit?.limit_reached === true && used >= 100 ? 'rejected' : null,
    });
  }
  const extra: Record<string, string> = {};
  if (typeof body.plan_type === 'string') extra.plan_type = body.plan_type;
  const credits = isObject(body.credits) ? body.credits : null;
  if (credits) {
    // The keys the `x-codex-credits-*` headers are read into, so either source fills one reading.
    for (const field of ['has_credits', 'unlimited', 'balance']) {
      const v = credits[field];
      if (typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number')
        extra[`credits_${field}`] = String(v);
    }
  }
  if (windows.length === 0 && Object.keys(extra).length === 0) return null;
  return { provider: 'openai-codex', windows, extra, at: now };
}

/** The windows of `GET api.anthropic.com/api/oauth/usage`, by the names the unified headers give them. */
const CLAUDE_WINDOWS = [
  ['five_hour', '5h', 300],
  ['seven_day', '7d', 10_080],
  ['seven_day_opus', '7d_opus', 10_080],
  ['seven_day_sonnet', '7d_sonnet', 10_080],
] as const;

/** `GET …/api/oauth/usage`: `{five_hour, seven_day, …}` each `{utilization (0–100), resets_at (ISO)}`. */
export function readClaudeUsage(body: unknown, now: number): QuotaReading | null {
  if (!isObject(body)) return null;
  const windows: QuotaWindow[] = [];
  for (const [field, name, minutes] of CLAUDE_WINDOWS) {
    const w = body[field];
    if (!isObject(w)) continue;
    const used = num(w.utilization);
    if (used === null) continue;
    const reset = typeof w.resets_at === 'string' ? Date.parse(w.resets_at) : Number.NaN;
    windows.push({
      name,
      usedRatio: ratio(used),
      resetAt: Number.isFinite(reset) ? reset : null,
      windowMinutes: minutes,
      status: null,
    });
  }
  return windows.length === 0 ? null : { provider: 'anthropic', windows, extra: {}, at: now };
}
