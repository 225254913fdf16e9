import type { QuotaReading, QuotaWindow } from './reading.js';

type Headers = Record<string, string | string[] | undefined>;

/**
 * Reads a login's quota from an upstream answer's headers, one table per header family:
 * the ChatGPT Codex backend's `x-codex-*`, Anthropic's `anthropic-ratelimit-unified-*` (subscription
 * logins) and `anthropic-ratelimit-{requests,tokens}-*` (API keys), OpenAI's `x-ratelimit-*`.
 * Returns null when the answer carries none of them. Pure: no clock, no I/O.
 */
export function parseQuotaHeaders(provider: string, headers: Headers, now: number): QuotaReading | null {
  const h = (name: string): string | null => {
    const v = headers[name];
    return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? null) : null;
  };
  const windows: QuotaWindow[] = [];
  const extra: Record<string, string> = {};
  for (const family of FAMILIES) family(h, now, windows, extra);
  if (windows.length === 0 && Object.keys(extra).length === 0) return null;
  return { provider, windows, extra, at: now };
}

type Family = (
  h: (name: string) => string | null,
  now: number,
  windows: QuotaWindow[],
  extra: Record<string, string>,
) => void;

const codex: Family = (h, now, windows, extra) => {
  for (const name of ['primary', 'secondary']) {
    const used = num(h(`x-codex-${name}-used-percent`));
    if (used === null) continue;
    const reset = num(h(`x-codex-${name}-reset-at`));
    const afterSeconds = num(h(`x-codex-${name}-reset-after-seconds`));
    windows.push({
      name,
      usedRatio: clampRatio(used / 100),
      resetAt: reset !== null ? reset * 1000 : afterSeconds !== null ? now + afterSeconds * 1000 : null,
      windowMinutes: num(h(`x-codex-${name}-window-minutes`)),
      status: null,
    });
  }
  for (const key of ['has-credits', 'unlimited', 'balance']) {
    const v = h(`x-codex-credits-${key}`);
    if (v !== null) extra[`credits_${key.replace('-', '_')}`] = v;
  }
};

const UNIFIED = 'anthropic-ratelimit-unified-';
const UNIFIED_WINDOWS: ReadonlyArray<{ key: string; minutes: number }> = [
  { key: '5h', minutes: 300 },
  { key: '7d', minutes: 10_080 },
  { key: '7d_opus', minutes: 10_080 },
  { key: '7d_sonnet', minutes: 10_080 },
];

const anthropicUnified: Family = (h, _now, windows, extra) => {
  for (const { key, minutes } of UNIFIED_WINDOWS) {
    const used = num(h(`${UNIFIED}${key}-utilization`));
    const status = h(`${UNIFIED}${key}-status`);
    if (used === null && status === null) continue;
    const reset = num(h(`${UNIFIED}${key}-reset`));
    windows.push({
      name: key,
      usedRatio: clampRatio(used ?? (status === 'rejected' ? 1 : 0)),
      resetAt: reset !== null ? reset * 1000 : null,
      windowMinutes: minutes,
      status,
    });
  }
  for (const key of [
    'status',
    'reset',
    'representative-claim',
    'fallback-percentage',
    'overage-status',
    'overage-reset',
    'overage-disabled-reason',
  ]) {
    const v = h(`${UNIFIED}${key}`);
    if (v !== null) extra[key.replace(/-/g, '_')] = v;
  }
};

/**
 * Classic limit/remaining/reset triples: Anthropic's (reset as RFC 3339) and OpenAI's (reset as `1m30s`).
 * Both providers' API-key limits are per minute (requests, tokens per minute).
 */
function limitTriples(
  names: readonly string[],
  header: (kind: 'limit' | 'remaining' | 'reset', name: string) => string,
  readReset: (v: string, now: number) => number | null,
): Family {
  return (h, now, windows) => {
    for (const name of names) {
      const limit = num(h(header('limit', name)));
      const remaining = num(h(header('remaining', name)));
      if (limit === null || remaining === null || limit <= 0) continue;
      const reset = h(header('reset', name));
      windows.push({
        name,
        usedRatio: clampRatio(1 - remaining / limit),
        resetAt: reset !== null ? readReset(reset, now) : null,
        windowMinutes: 1,
        status: null,
        limit,
        remaining: Math.min(limit, Math.max(0, remaining)),
      });
    }
  };
}

const anthropicClassic = limitTriples(
  ['requests', 'tokens', 'input-tokens', 'output-tokens'],
  (kind, name) => `anthropic-ratelimit-${name}-${kind}`,
  (v) => {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  },
);

const openai = limitTriples(
  ['requests', 'tokens'],
  (kind, name) => `x-ratelimit-${kind}-${name}`,
  (v, now) => {
    const ms = parseDuration(v);
    return ms === null ? null : now + ms;
  },
);

const FAMILIES: readonly Family[] = [codex, anthropicUnified, anthropicClassic, openai];

/** OpenAI's reset durations: `6m0s`, `1.5s`, `20ms`, `1h2m3s`. */
export function parseDuration(v: string): number | null {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s|d)/g;
  let total = 0;
  let matched = '';
  for (const m of v.trim().matchAll(re)) {
    const n = Number(m[1]);
    total +=
      n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
    matched += m[0];
  }
  return matched.length > 0 && matched === v.trim() ? Math.round(total) : null;
}

function num(v: string | null): number | null {
  if (v === null || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function clampRatio(r: number): number {
  return Math.min(1, Math.max(0, Math.round(r * 10_000) / 10_000));
}
