import { describe, expect, it } from 'vitest';
import { normalizeExpires, parseOAuthInput } from './oauth-input.js';

const now = Date.UTC(2026, 11, 2, 12, 0, 0);
const hour = 3_600_000;

describe('add-oauth expires', () => {
  it('keeps epoch milliseconds as they are', () => {
    expect(normalizeExpires(now + hour, now)).toEqual({ expires: now + hour, notice: null });
  });

  it('converts epoch seconds and ISO dates with a notice', () => {
    const s = normalizeExpires((now + hour) / 1000, now);
    expect(s.expires).toBe(now + hour);
    expect(s.notice).toMatch(/looks like epoch seconds/);
    const iso = normalizeExpires(new Date(now + hour).toISOString(), now);
    expect(iso.expires).toBe(now + hour);
    expect(iso.notice).toMatch(/ISO date/);
  });

  it.each([
    [now - 1000, /expires: .* is in the past/],
    [(now - hour) / 1000, /expires: .* is in the past/],
    [now + 5 * 365 * 24 * hour, /expires: .* more than 400 days ahead/],
    ['tomorrow', /expires: "tomorrow" is neither epoch milliseconds nor an ISO date/],
    [1.5, /expires: 1.5 is not epoch milliseconds/],
  ])('refuses %s naming the field', (value, message) => {
    expect(() => normalizeExpires(value, now)).toThrow(message);
  });

  it('parseOAuthInput returns the converted value and the notice', () => {
    const text = JSON.stringify({ access: 'fake-a', refresh: 'fake-r', expires: (now + hour) / 1000 });
    const r = parseOAuthInput('anthropic:a', 'anthropic', text, 'stdin', now);
    expect(r.input.expires).toBe(now + hour);
    expect(r.notices).toHaveLength(1);
    expect(() =>
      parseOAuthInput(
        'anthropic:a',
        'anthropic',
        JSON.stringify({ access: 'a', refresh: 'r' }),
        'stdin',
        now,
      ),
    ).toThrow(/expires/);
  });
});
