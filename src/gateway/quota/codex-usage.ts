import { readJwtClaims, readNestedClaim } from '../../util/jwt.js';
import { exhaustedUntil, type QuotaReading, type QuotaWindow } from './reading.js';

/*
 * The answer of `GET <chatgpt_base_url>/wham/usage` (or `/api/codex/usage`), as Codex CLI decodes it:
 * openai/codex codex-rs/backend-client/src/client.rs (`get_rate_limits_many`, commit 01e357537f8a)
 * into codex-rs/codex-backend-openapi-models/src/models/rate_limit_status_payload.rs,
 * rate_limit_status_details.rs and rate_limit_window_snapshot.rs (commit 0396dc5ccc76). Checked
 * against the Codex CLI 0.171.0 binary: `plan_type` (any string; unknown ones read as "unknown"),
 * `rate_limit.allowed` and `.limit_reached` are required, and each window needs all four fields as
 * integers (`used_percent` 42.5 fails to decode: "expected i32").
 */

export interface CodexUsageWindow {
  used_percent: number;
  limit_window_seconds: number;
  reset_after_seconds: number;
  /** Unix seconds. */
  reset_at: number;
}

export interface CodexUsageBody {
  plan_type: string;
  rate_limit: {
    allowed: boolean;
    limit_reached: boolean;
    primary_window: CodexUsageWindow | null;
    secondary_window: CodexUsageWindow | null;
  } | null;
  credits: { has_credits: boolean; unlimited: boolean; balance: string | null } | null;
  additional_rate_limits: null;
}

/** What a login can still do before one of its windows stops it (0–1): the client's view of a pool. */
function headroom(r: QuotaReading, now: number): number {
  if (exhaustedUntil(r, now) !== null) return 0;
  let used = 0;
  for (const w of r.windows) if (w.resetAt === null || w.resetAt > now) used = Math.max(used, w.usedRatio);
  return 1 - used;
}

/** The soonest time one of the reading's windows starts over (Infinity when none says). */
function soonestReset(r: QuotaReading, now: number): number {
  let soonest = Number.POSITIVE_INFINITY;
  for (const w of r.windows)
    if (w.resetAt !== null && w.resetAt > now) soonest = Math.min(soonest, w.resetAt);
  return soonest;
}

/**
 * Which of a client's Codex logins `/status` shows. A pool answers 429 only when every login is used
 * up, so the client's limit is that of the login with the most headroom (the last to run out); between
 * logins equally full, the one that starts over first. Logins without a reading are left out.
 */
export function pickReportedLogin(
  ids: readonly string[],
  readingOf: (id: string) => QuotaReading | null,
  now: number,
): string | null {
  let best: { id: string; headroom: number; reset: number } | null = null;
  for (const id of ids) {
    const r = readingOf(id);
    if (!r?.windows.some((w) => w.name === 'primary' || w.name === 'secondary')) continue;
    const c = { id, headroom: headroom(r, now), reset: soonestReset(r, now) };
    if (!best || c.headroom > best.headroom || (c.headroom === best.headroom && c.reset < best.reset))
      best = c;
  }
  return best?.id ?? null;
}

/** The plan a reading or the login's access token names (`chatgpt_plan_type`), else "unknown". */
export function planTypeOf(reading: QuotaReading | null, access: string | null): string {
  return (
    reading?.extra.plan_type ??
    readNestedClaim(readJwtClaims(access), 'https://api.openai.com/auth', 'chatgpt_plan_type') ??
    'unknown'
  );
}

/** A window as Codex reads it; null when there is none or it has started over since the reading. */
function toWindow(w: QuotaWindow | undefined, now: number): CodexUsageWindow | null {
  if (!w || (w.resetAt !== null && w.resetAt <= now)) return null;
  const full = w.usedRatio >= 1 || w.status === 'rejected';
  // Integers only; 99.6 % is not "limit reached".
  const used = full ? 100 : Math.min(99, Math.round(w.usedRatio * 100));
  return {
    used_percent: used,
    limit_window_seconds: (w.windowMinutes ?? 0) * 60,
    reset_after_seconds: w.resetAt === null ? 0 : Math.max(0, Math.ceil((w.resetAt - now) / 1000)),
    reset_at: w.resetAt === null ? 0 : Math.floor(w.resetAt / 1000),
  };
}

/** The body Codex CLI reads its `/status` limits from, for one login's reading (null: no windows known). */
export function codexUsageBody(reading: QuotaReading | null, planType: string, now: number): CodexUsageBody {
  const byName = (name: string) => reading?.windows.find((w) => w.name === name);
  const reached = reading !== null && exhaustedUntil(reading, now) !== null;
  const extra = reading?.extra ?? {};
  return {
    plan_type: planType,
    rate_limit: reading
      ? {
          allowed: !reached,
          limit_reached: reached,
          primary_window: toWindow(byName('primary'), now),
          secondary_window: toWindow(byName('secondary'), now),
        }
      : null,
    credits:
      extra.credits_has_credits !== undefined
        ? {
            has_credits: extra.credits_has_credits === 'true',
            unlimited: extra.credits_unlimited === 'true',
            balance: extra.credits_balance ?? null,
          }
        : null,
    additional_rate_limits: null,
  };
}
