/** A rolling usage window: what share one model call uses, and how long until it starts over. */
interface WindowRule {
  name: 'primary' | 'secondary';
  minutes: number;
  /** Percent of the window one model call uses. */
  percentPerCall: number;
}

// Subscription windows as the providers report them: 5 hours and 7 days.
const WINDOWS: readonly WindowRule[] = [
  { name: 'primary', minutes: 300, percentPerCall: 1 },
  { name: 'secondary', minutes: 10_080, percentPerCall: 0.2 },
];

/** One window's state after a call. */
export interface WindowUsage {
  usedPercent: number;
  windowMinutes: number;
  /** Epoch seconds. */
  resetAt: number;
}

export interface Usage {
  primary: WindowUsage;
  secondary: WindowUsage;
  /** Calls in the primary window, this one included. */
  calls: number;
}

const API_KEY_REQUEST_LIMIT = 4000;

/** Per-account call counts behind the quota headers; they fill as the emulator serves. */
export class Quotas {
  readonly #windows = new Map<string, { start: number; calls: number }>();
  /** Accounts whose full window answers 429: only those a test set, so long runs keep being served. */
  readonly #enforced = new Set<string>();

  /**
   * Sets how full `account`'s window is (tests: a login near or at its limit) and holds the account
   * to its windows from then on. The window starts now unless one is running.
   */
  set(account: string, name: WindowRule['name'], usedPercent: number, now: number): void {
    const rule = WINDOWS.find((w) => w.name === name) as WindowRule;
    const key = `${name}:${account}`;
    const old = this.#windows.get(key);
    const start = old && now < old.start + rule.minutes * 60_000 ? old.start : now;
    this.#windows.set(key, { start, calls: Math.round(usedPercent / rule.percentPerCall) });
    this.#enforced.add(account);
  }

  /** The account's windows without counting a call. */
  peek(account: string, now: number): Usage {
    const out: Partial<Record<WindowRule['name'], WindowUsage>> = {};
    for (const rule of WINDOWS) {
      const window = this.#windows.get(`${rule.name}:${account}`);
      const live = window && now < window.start + rule.minutes * 60_000 ? window : null;
      out[rule.name] = {
        usedPercent: live ? Math.min(100, Math.round(live.calls * rule.percentPerCall * 10) / 10) : 0,
        windowMinutes: rule.minutes,
        resetAt: Math.floor(((live?.start ?? now) + rule.minutes * 60_000) / 1000),
      };
    }
    return { primary: out.primary as WindowUsage, secondary: out.secondary as WindowUsage, calls: 0 };
  }

  /**
   * The account's windows when one is used up (the caller answers 429), else null. Only accounts set
   * through `set` are held to their windows; others are served past 100 % (benchmarks, storms).
   */
  full(account: string, now: number): Usage | null {
    if (!this.#enforced.has(account)) return null;
    const u = this.peek(account, now);
    return u.primary.usedPercent >= 100 || u.secondary.usedPercent >= 100 ? u : null;
  }

  /** Counts one model call for `account` (a provider-scoped key) at `now` (epoch ms). */
  use(account: string, now: number): Usage {
    const out: Partial<Record<WindowRule['name'], WindowUsage>> = {};
    let calls = 0;
    for (const rule of WINDOWS) {
      const key = `${rule.name}:${account}`;
      let window = this.#windows.get(key);
      if (!window || now >= window.start + rule.minutes * 60_000) window = { start: now, calls: 0 };
      window.calls += 1;
      this.#windows.set(key, window);
      if (rule.name === 'primary') calls = window.calls;
      out[rule.name] = {
        usedPercent: Math.min(100, Math.round(window.calls * rule.percentPerCall * 10) / 10),
        windowMinutes: rule.minutes,
        resetAt: Math.floor((window.start + rule.minutes * 60_000) / 1000),
      };
    }
    return { primary: out.primary as WindowUsage, secondary: out.secondary as WindowUsage, calls };
  }
}

/** Seconds until the first full window of `usage` starts over. */
export function secondsToReset(usage: Usage, now: number): number {
  const full = [usage.primary, usage.secondary].filter((w) => w.usedPercent >= 100);
  return Math.max(0, Math.min(...full.map((w) => w.resetAt)) - Math.floor(now / 1000));
}

/** The Codex backend's `x-codex-*` headers. */
export function codexQuotaHeaders(usage: Usage): Record<string, string> {
  const headers: Record<string, string> = {
    'x-codex-credits-has-credits': 'false',
    'x-codex-credits-unlimited': 'false',
    'x-codex-credits-balance': '0',
  };
  for (const name of ['primary', 'secondary'] as const) {
    const w = usage[name];
    headers[`x-codex-${name}-used-percent`] = String(w.usedPercent);
    headers[`x-codex-${name}-window-minutes`] = String(w.windowMinutes);
    headers[`x-codex-${name}-reset-at`] = String(w.resetAt);
  }
  return headers;
}

/** The `codex.rate_limits` event the Codex backend sends before `response.created`. */
export function codexRateLimitsEvent(usage: Usage, now: number): Record<string, unknown> {
  const window = (w: WindowUsage) => ({
    used_percent: w.usedPercent,
    window_minutes: w.windowMinutes,
    reset_after_seconds: Math.max(0, w.resetAt - Math.floor(now / 1000)),
    reset_at: w.resetAt,
  });
  const reached = usage.primary.usedPercent >= 100 || usage.secondary.usedPercent >= 100;
  return {
    type: 'codex.rate_limits',
    plan_type: 'plus',
    rate_limits: {
      allowed: !reached,
      limit_reached: reached,
      primary: window(usage.primary),
      secondary: window(usage.secondary),
    },
    code_review_rate_limits: null,
  };
}

/** Anthropic's `anthropic-ratelimit-unified-*` headers for subscription (OAuth) traffic; utilization is 0–1. */
export function anthropicUnifiedHeaders(usage: Usage): Record<string, string> {
  const status = (w: WindowUsage) => (w.usedPercent >= 100 ? 'rejected' : 'allowed');
  const five = usage.primary;
  const seven = usage.secondary;
  const binding = five.usedPercent / 100 >= seven.usedPercent / 100 ? five : seven;
  return {
    'anthropic-ratelimit-unified-status': status(binding),
    'anthropic-ratelimit-unified-reset': String(binding.resetAt),
    'anthropic-ratelimit-unified-representative-claim': binding === five ? 'five_hour' : 'seven_day',
    'anthropic-ratelimit-unified-5h-status': status(five),
    'anthropic-ratelimit-unified-5h-reset': String(five.resetAt),
    'anthropic-ratelimit-unified-5h-utilization': String(five.usedPercent / 100),
    'anthropic-ratelimit-unified-7d-status': status(seven),
    'anthropic-ratelimit-unified-7d-reset': String(seven.resetAt),
    'anthropic-ratelimit-unified-7d-utilization': String(seven.usedPercent / 100),
    'anthropic-ratelimit-unified-overage-status': 'rejected',
  };
}

/** Anthropic's API-key rate-limit headers (`anthropic-ratelimit-requests-*`, `-tokens-*`). */
export function anthropicApiKeyHeaders(usage: Usage, tokens: number): Record<string, string> {
  const reset = new Date(usage.primary.resetAt * 1000).toISOString();
  const tokenLimit = 400_000;
  return {
    'anthropic-ratelimit-requests-limit': String(API_KEY_REQUEST_LIMIT),
    'anthropic-ratelimit-requests-remaining': String(Math.max(0, API_KEY_REQUEST_LIMIT - usage.calls)),
    'anthropic-ratelimit-requests-reset': reset,
    'anthropic-ratelimit-tokens-limit': String(tokenLimit),
    'anthropic-ratelimit-tokens-remaining': String(Math.max(0, tokenLimit - tokens)),
    'anthropic-ratelimit-tokens-reset': reset,
  };
}

/** OpenAI API keys' `x-ratelimit-*` headers. */
export function openaiApiKeyHeaders(usage: Usage, tokens: number): Record<string, string> {
  const tokenLimit = 2_000_000;
  return {
    'x-ratelimit-limit-requests': String(API_KEY_REQUEST_LIMIT),
    'x-ratelimit-remaining-requests': String(Math.max(0, API_KEY_REQUEST_LIMIT - usage.calls)),
    'x-ratelimit-reset-requests': '15ms',
    'x-ratelimit-limit-tokens': String(tokenLimit),
    'x-ratelimit-remaining-tokens': String(Math.max(0, tokenLimit - tokens)),
    'x-ratelimit-reset-tokens': '0s',
  };
}
