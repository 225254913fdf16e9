import { describe, expect, it } from 'vitest';
import { parseDuration, parseQuotaHeaders } from './parse-headers.js';
import { exhaustedUntil, highestUse } from './reading.js';

const NOW = 1_800_000_000_000;

// Header sets with the providers' documented names (Codex CLI's rate-limit reader, Anthropic's and
// OpenAI's rate-limit docs); values are made up.
const CASES: ReadonlyArray<{
  name: string;
  provider: string;
  headers: Record<string, string>;
  windows: Array<Record<string, unknown>>;
  extra?: Record<string, string>;
}> = [
  {
    name: 'Codex backend: primary and secondary windows, credits',
    provider: 'openai-codex',
    headers: {
      'x-codex-primary-used-percent': '42.5',
      'x-codex-primary-window-minutes': '300',
      'x-codex-primary-reset-at': '1800003600',
      'x-codex-secondary-used-percent': '7',
      'x-codex-secondary-window-minutes': '10080',
      'x-codex-secondary-reset-after-seconds': '86400',
      'x-codex-credits-has-credits': 'false',
      'x-codex-credits-unlimited': 'false',
      'x-codex-credits-balance': '0',
    },
    windows: [
      { name: 'primary', usedRatio: 0.425, resetAt: 1_800_003_600_000, windowMinutes: 300 },
      { name: 'secondary', usedRatio: 0.07, resetAt: NOW + 86_400_000, windowMinutes: 10_080 },
    ],
    extra: { credits_has_credits: 'false', credits_unlimited: 'false', credits_balance: '0' },
  },
  {
    name: 'Anthropic unified: 5h and 7d utilization (0–1), status, claim and overage',
    provider: 'anthropic',
    headers: {
      'anthropic-ratelimit-unified-status': 'allowed_warning',
      'anthropic-ratelimit-unified-reset': '1800018000',
      'anthropic-ratelimit-unified-representative-claim': 'five_hour',
      'anthropic-ratelimit-unified-5h-status': 'allowed_warning',
      'anthropic-ratelimit-unified-5h-reset': '1800018000',
      'anthropic-ratelimit-unified-5h-utilization': '0.91',
      'anthropic-ratelimit-unified-7d-status': 'allowed',
      'anthropic-ratelimit-unified-7d-reset': '1800500000',
      'anthropic-ratelimit-unified-7d-utilization': '0.3',
      'anthropic-ratelimit-unified-overage-status': 'rejected',
    },
    windows: [
      { name: '5h', usedRatio: 0.91, resetAt: 1_800_018_000_000, status: 'allowed_warning' },
      { name: '7d', usedRatio: 0.3, resetAt: 1_800_500_000_000, status: 'allowed' },
    ],
    extra: {
      status: 'allowed_warning',
      reset: '1800018000',
      representative_claim: 'five_hour',
      overage_status: 'rejected',
    },
  },
  {
    name: 'Anthropic API key: requests and tokens, reset in RFC 3339',
    provider: 'anthropic',
    headers: {
      'anthropic-ratelimit-requests-limit': '4000',
      'anthropic-ratelimit-requests-remaining': '3000',
      'anthropic-ratelimit-requests-reset': '2027-01-15T08:00:30Z',
      'anthropic-ratelimit-tokens-limit': '400000',
      'anthropic-ratelimit-tokens-remaining': '400000',
      'anthropic-ratelimit-tokens-reset': '2027-01-15T08:00:30Z',
    },
    windows: [
      {
        name: 'requests',
        usedRatio: 0.25,
        resetAt: Date.parse('2027-01-15T08:00:30Z'),
        windowMinutes: 1,
        limit: 4000,
        remaining: 3000,
      },
      {
        name: 'tokens',
        usedRatio: 0,
        resetAt: Date.parse('2027-01-15T08:00:30Z'),
        windowMinutes: 1,
        limit: 400_000,
        remaining: 400_000,
      },
    ],
  },
  {
    name: 'OpenAI API key: x-ratelimit-* with duration resets',
    provider: 'openai',
    headers: {
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-remaining-requests': '499',
      'x-ratelimit-reset-requests': '120ms',
      'x-ratelimit-limit-tokens': '30000',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '1m30s',
    },
    windows: [
      {
        name: 'requests',
        usedRatio: 0.002,
        resetAt: NOW + 120,
        windowMinutes: 1,
        limit: 500,
        remaining: 499,
      },
      { name: 'tokens', usedRatio: 1, resetAt: NOW + 90_000, windowMinutes: 1, limit: 30_000, remaining: 0 },
    ],
  },
];

describe('parseQuotaHeaders', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const r = parseQuotaHeaders(c.provider, c.headers, NOW);
      expect(r).not.toBeNull();
      expect(r?.windows).toHaveLength(c.windows.length);
      for (const [i, w] of c.windows.entries()) expect(r?.windows[i]).toMatchObject(w);
      if (c.extra) expect(r?.extra).toEqual(c.extra);
      expect(r?.at).toBe(NOW);
    });
  }

  it('returns null for an answer without quota headers, and ignores garbage values', () => {
    expect(parseQuotaHeaders('openai-codex', { 'content-type': 'text/event-stream' }, NOW)).toBeNull();
    expect(parseQuotaHeaders('openai-codex', { 'x-codex-primary-used-percent': 'lots' }, NOW)).toBeNull();
  });

  it('clamps shares to 0–1 and reads a rejected window without utilization as full', () => {
    const r = parseQuotaHeaders(
      'anthropic',
      {
        'x-codex-primary-used-percent': '130',
        'anthropic-ratelimit-unified-7d-status': 'rejected',
        'anthropic-ratelimit-unified-7d-reset': '1800000100',
      },
      NOW,
    );
    expect(r?.windows.map((w) => [w.name, w.usedRatio])).toEqual([
      ['primary', 1],
      ['7d', 1],
    ]);
    expect(highestUse(r!)).toBe(1);
    expect(exhaustedUntil(r!, NOW)).toBe(1_800_000_100_000);
    expect(exhaustedUntil(r!, 1_800_000_100_000)).toBeNull();
  });
});

describe('parseDuration', () => {
  it.each([
    ['6m0s', 360_000],
    ['1.5s', 1500],
    ['20ms', 20],
    ['1h2m3s', 3_723_000],
    ['soon', null],
    ['5 minutes', null],
  ])('%s -> %s', (v, ms) => expect(parseDuration(v)).toBe(ms));
});
