import { describe, expect, it } from 'vitest';
import { codexQuotaHeaders, Quotas, secondsToReset } from './quotas.js';

describe('emulator quotas', () => {
  it('fills as it serves, can be set near or at the limit, and is full until the window resets', () => {
    const q = new Quotas();
    const t0 = 1_800_000_000_000;
    // not held to its windows until a test sets them: long runs keep being served
    for (let i = 0; i < 120; i++) q.use('openai-codex:free', t0);
    expect(q.full('openai-codex:free', t0)).toBeNull();
    expect(q.use('openai-codex:a', t0).primary.usedPercent).toBe(1);
    q.set('openai-codex:a', 'primary', 79, t0);
    expect(q.use('openai-codex:a', t0).primary.usedPercent).toBe(80);
    expect(q.full('openai-codex:a', t0)).toBeNull();
    q.set('openai-codex:a', 'primary', 100, t0);
    const full = q.full('openai-codex:a', t0 + 1000);
    expect(full?.primary.usedPercent).toBe(100);
    expect(codexQuotaHeaders(full!)['x-codex-primary-used-percent']).toBe('100');
    expect(secondsToReset(full!, t0 + 1000)).toBe(300 * 60 - 1);
    expect(q.full('openai-codex:a', t0 + 300 * 60_000)).toBeNull();
  });
});
