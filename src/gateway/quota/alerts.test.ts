import { describe, expect, it } from 'vitest';
import { crossingsOf, type QuotaLevel } from './alerts.js';
import type { QuotaReading } from './reading.js';

const reading = (used: number, status: string | null = null): QuotaReading => ({
  provider: 'openai-codex',
  windows: [{ name: 'primary', usedRatio: used, resetAt: 1_800_000_000_000, windowMinutes: 300, status }],
  extra: {},
  at: 0,
});

describe('crossingsOf', () => {
  it('tells each step up once, stays quiet sliding back within alerts, and tells the recovery', () => {
    const levels = new Map<string, QuotaLevel>();
    const seen = [0.5, 0.79, 0.8, 0.85, 0.96, 0.97, 0.9, 1, 1, 0.2, 0.3, 0.81].map((u) =>
      crossingsOf('openai-codex:a', reading(u), levels).map((c) => `${c.kind}:${c.level}`),
    );
    expect(seen).toEqual([
      [],
      [],
      ['quota_warning:warn_80'],
      [],
      ['quota_warning:warn_95'],
      [],
      [],
      ['quota_exhausted:exhausted'],
      [],
      ['quota_recovered:ok'],
      [],
      ['quota_warning:warn_80'],
    ]);
  });

  it('jumps straight to exhausted on a rejected status and carries the reset time', () => {
    const levels = new Map<string, QuotaLevel>();
    const [c] = crossingsOf('anthropic:a', reading(0.4, 'rejected'), levels);
    expect(c).toMatchObject({ kind: 'quota_exhausted', window: 'primary', resetAt: 1_800_000_000_000 });
  });
});
