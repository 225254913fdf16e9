import { describe, expect, it } from 'vitest';
import { claudeUsageBody, codexUsageBody as emulatedCodexUsage } from '../../emulator/usage-routes.js';
import { codexUsageBody } from './codex-usage.js';
import { readClaudeUsage, readCodexUsage, USAGE_ENDPOINTS } from './usage-read.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const S = Math.floor(NOW / 1000);

describe('usage endpoints', () => {
  it('sit where the providers serve them, from the base URLs clawkeep calls', () => {
    expect(USAGE_ENDPOINTS.get('openai-codex')?.url('https://chatgpt.com/backend-api/codex')).toBe(
      'https://chatgpt.com/backend-api/wham/usage',
    );
    expect(
      USAGE_ENDPOINTS.get('openai-codex')?.url('http://127.0.0.1:9/openai-codex/backend-api/codex/'),
    ).toBe('http://127.0.0.1:9/openai-codex/backend-api/wham/usage');
    expect(USAGE_ENDPOINTS.get('anthropic')?.url('https://api.anthropic.com')).toBe(
      'https://api.anthropic.com/api/oauth/usage',
    );
  });
});

describe('readCodexUsage', () => {
  it('reads both windows, the plan and the credits', () => {
    const r = readCodexUsage(
      {
        plan_type: 'pro',
        rate_limit: {
          allowed: true,
          limit_reached: false,
          primary_window: {
            used_percent: 42,
            limit_window_seconds: 18_000,
            reset_after_seconds: 60,
            reset_at: S + 60,
          },
          secondary_window: {
            used_percent: 7,
            limit_window_seconds: 604_800,
            reset_after_seconds: 0,
            reset_at: S + 999,
          },
        },
        credits: { has_credits: true, unlimited: false, balance: '9.99' },
      },
      NOW,
    );
    expect(r).toEqual({
      provider: 'openai-codex',
      at: NOW,
      windows: [
        { name: 'primary', usedRatio: 0.42, resetAt: (S + 60) * 1000, windowMinutes: 300, status: null },
        {
          name: 'secondary',
          usedRatio: 0.07,
          resetAt: (S + 999) * 1000,
          windowMinutes: 10_080,
          status: null,
        },
      ],
      extra: {
        plan_type: 'pro',
        credits_has_credits: 'true',
        credits_unlimited: 'false',
        credits_balance: '9.99',
      },
    });
  });

  it('a reached limit is rejected; nonsense is no reading', () => {
    const r = readCodexUsage(
      {
        plan_type: 'plus',
        rate_limit: {
          allowed: false,
          limit_reached: true,
          primary_window: {
            used_percent: 100,
            limit_window_seconds: 18_000,
            reset_after_seconds: 60,
            reset_at: S + 60,
          },
        },
      },
      NOW,
    );
    expect(r?.windows[0]).toMatchObject({ usedRatio: 1, status: 'rejected' });
    expect(readCodexUsage('<html>', NOW)).toBeNull();
    expect(readCodexUsage({}, NOW)).toBeNull();
  });

  it("round-trips the gateway's own wham/usage answer", () => {
    const body = codexUsageBody(
      {
        provider: 'openai-codex',
        at: NOW,
        extra: { plan_type: 'plus' },
        windows: [
          { name: 'primary', usedRatio: 0.3, resetAt: (S + 600) * 1000, windowMinutes: 300, status: null },
        ],
      },
      'plus',
      NOW,
    );
    expect(readCodexUsage(body, NOW)?.windows[0]).toMatchObject({
      usedRatio: 0.3,
      resetAt: (S + 600) * 1000,
    });
  });

  it("reads the emulator's answer", () => {
    const usage = {
      primary: { usedPercent: 12.5, windowMinutes: 300, resetAt: S + 100 },
      secondary: { usedPercent: 2.4, windowMinutes: 10_080, resetAt: S + 5000 },
      calls: 0,
    };
    expect(readCodexUsage(emulatedCodexUsage(usage, NOW), NOW)?.windows.map((w) => w.usedRatio)).toEqual([
      0.13, 0.02,
    ]);
  });
});

describe('readClaudeUsage', () => {
  it('reads five_hour and seven_day (utilization 0-100, ISO resets_at) by the header windows names', () => {
    const r = readClaudeUsage(
      {
        five_hour: { utilization: 61, resets_at: '2026-12-07T14:59:59.571404+00:00' },
        seven_day: { utilization: 22, resets_at: '2026-12-10T09:59:59.571468+00:00' },
        seven_day_opus: null,
        seven_day_oauth_apps: null,
        extra_usage: { is_enabled: false, monthly_limit: null, used_credits: null, utilization: null },
      },
      NOW,
    );
    expect(r?.windows).toEqual([
      {
        name: '5h',
        usedRatio: 0.61,
        resetAt: Date.parse('2026-12-07T14:59:59.571Z'),
        windowMinutes: 300,
        status: null,
      },
      {
        name: '7d',
        usedRatio: 0.22,
        resetAt: Date.parse('2026-12-10T09:59:59.571Z'),
        windowMinutes: 10_080,
        status: null,
      },
    ]);
    expect(
      readClaudeUsage({ five_hour: { utilization: 0, resets_at: null } }, NOW)?.windows[0]?.resetAt,
    ).toBeNull();
    expect(readClaudeUsage({ error: 'x' }, NOW)).toBeNull();
  });

  it("reads the emulator's answer", () => {
    const usage = {
      primary: { usedPercent: 30, windowMinutes: 300, resetAt: S + 100 },
      secondary: { usedPercent: 6, windowMinutes: 10_080, resetAt: S + 5000 },
      calls: 0,
    };
    expect(readClaudeUsage(claudeUsageBody(usage), NOW)?.windows).toMatchObject([
      { name: '5h', usedRatio: 0.3, resetAt: (S + 100) * 1000 },
      { name: '7d', usedRatio: 0.06, resetAt: (S + 5000) * 1000 },
    ]);
  });
});
