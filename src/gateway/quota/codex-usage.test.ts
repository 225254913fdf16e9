import { describe, expect, it } from 'vitest';
import { codexUsageBody, pickReportedLogin, planTypeOf } from './codex-usage.js';
import type { QuotaReading } from './reading.js';

/*
 * The fields Codex CLI decodes from `wham/usage`, and their types, from openai/codex
 * codex-rs/codex-backend-openapi-models/src/models/rate_limit_status_payload.rs,
 * rate_limit_status_details.rs, rate_limit_window_snapshot.rs (commit 0396dc5ccc76) and
 * credit_status_details.rs (commit 71163530a46d), read by codex-rs/backend-client/src/client.rs
 * `get_rate_limits_many` (commit 01e357537f8a). `i32` fields must be JSON integers.
 */
const CODEX_SHAPE = {
  payload: { plan_type: 'string', rate_limit: 'object|null', credits: 'object|null' },
  rate_limit: {
    allowed: 'boolean',
    limit_reached: 'boolean',
    primary_window: 'object|null',
    secondary_window: 'object|null',
  },
  window: { used_percent: 'i32', limit_window_seconds: 'i32', reset_after_seconds: 'i32', reset_at: 'i32' },
  credits: { has_credits: 'boolean', unlimited: 'boolean', balance: 'string|null' },
} as const;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? 'i32' : 'number';
  return typeof v;
}

function expectShape(obj: Record<string, unknown>, shape: Record<string, string>): void {
  for (const [field, want] of Object.entries(shape)) {
    expect(field in obj, `${field} is present`).toBe(true);
    expect(want.split('|'), `${field}: ${typeOf(obj[field])}`).toContain(typeOf(obj[field]));
  }
}

const NOW = Date.parse('2026-12-07T12:00:00Z');
const reading = (windows: QuotaReading['windows'], extra: Record<string, string> = {}): QuotaReading => ({
  provider: 'openai-codex',
  windows,
  extra,
  at: NOW - 1000,
});
const win = (name: string, used: number, resetInMin: number | null, minutes = 300) => ({
  name,
  usedRatio: used,
  resetAt: resetInMin === null ? null : NOW + resetInMin * 60_000,
  windowMinutes: minutes,
  status: null,
});

describe('codexUsageBody', () => {
  it('answers every field Codex CLI decodes, with its type (integers for i32)', () => {
    const r = reading([win('primary', 0.426, 90), win('secondary', 0.071, 3 * 1440, 10_080)], {
      plan_type: 'pro',
      credits_has_credits: 'true',
      credits_unlimited: 'false',
      credits_balance: '9.99',
    });
    const body = codexUsageBody(r, 'pro', NOW) as unknown as Record<string, Record<string, unknown>>;
    expectShape(body, CODEX_SHAPE.payload);
    const limit = body.rate_limit as Record<string, unknown>;
    expectShape(limit, CODEX_SHAPE.rate_limit);
    expectShape(limit.primary_window as Record<string, unknown>, CODEX_SHAPE.window);
    expectShape(limit.secondary_window as Record<string, unknown>, CODEX_SHAPE.window);
    expectShape(body.credits as Record<string, unknown>, CODEX_SHAPE.credits);
    expect(body).toEqual({
      plan_type: 'pro',
      rate_limit: {
        allowed: true,
        limit_reached: false,
        primary_window: {
          used_percent: 43,
          limit_window_seconds: 18_000,
          reset_after_seconds: 5400,
          reset_at: Math.floor(NOW / 1000) + 5400,
        },
        secondary_window: {
          used_percent: 7,
          limit_window_seconds: 604_800,
          reset_after_seconds: 259_200,
          reset_at: Math.floor(NOW / 1000) + 259_200,
        },
      },
      credits: { has_credits: true, unlimited: false, balance: '9.99' },
      additional_rate_limits: null,
    });
  });

  it('a used-up window is limit_reached at 100; 99.6 % is not', () => {
    const full = codexUsageBody(reading([win('primary', 1, 30)]), 'plus', NOW);
    expect(full.rate_limit).toMatchObject({ allowed: false, limit_reached: true });
    expect(full.rate_limit?.primary_window?.used_percent).toBe(100);
    const almost = codexUsageBody(reading([win('primary', 0.996, 30)]), 'plus', NOW);
    expect(almost.rate_limit).toMatchObject({ allowed: true, limit_reached: false });
    expect(almost.rate_limit?.primary_window?.used_percent).toBe(99);
  });

  it('a window that started over since the reading is null (its count is gone); no reading, no rate_limit', () => {
    const body = codexUsageBody(reading([win('primary', 0.9, -5), win('secondary', 0.2, 600)]), 'plus', NOW);
    expect(body.rate_limit?.primary_window).toBeNull();
    expect(body.rate_limit?.secondary_window?.used_percent).toBe(20);
    expect(codexUsageBody(null, 'unknown', NOW)).toMatchObject({ plan_type: 'unknown', rate_limit: null });
  });
});

describe('pickReportedLogin', () => {
  const readings: Record<string, QuotaReading> = {
    busy: reading([win('primary', 0.8, 60)]),
    idle: reading([win('primary', 0.1, 200)]),
    full: reading([win('primary', 1, 10)]),
    fullLater: reading([win('primary', 1, 100)]),
    claude: { ...reading([win('5h', 0, 60)]), provider: 'anthropic' },
  };
  const of = (id: string) => readings[id] ?? null;
  it.each([
    [['busy', 'idle', 'full'], 'idle', 'the login with the most headroom (the last a pool runs out of)'],
    [['full', 'fullLater'], 'full', 'all used up: the one that starts over first'],
    [['unknown', 'busy'], 'busy', 'logins without a reading are left out'],
    [['unknown', 'claude'], null, 'no Codex windows: nothing to report'],
  ])('%j → %s (%s)', (ids, want, _why) => {
    expect(pickReportedLogin(ids, of, NOW)).toBe(want);
  });
});

describe('planTypeOf', () => {
  it('prefers the usage reading, then the access token claim, else unknown', () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = `${b64({ alg: 'none' })}.${b64({ 'https://api.openai.com/auth': { chatgpt_plan_type: 'team' } })}.x`;
    expect(planTypeOf(reading([], { plan_type: 'pro' }), jwt)).toBe('pro');
    expect(planTypeOf(reading([]), jwt)).toBe('team');
    expect(planTypeOf(null, 'opaque')).toBe('unknown');
  });
});
