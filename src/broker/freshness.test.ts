import { describe, expect, it } from 'vitest';
import { compareFreshness, pickFreshest } from './freshness.js';

const jwt = (claims: Record<string, number>) =>
  `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('freshness order', () => {
  it('orders by JWT iat first, even against a later expires', () => {
    const older = { access: jwt({ iat: 100, exp: 5000 }), expires: 9_999_999 };
    const newer = { access: jwt({ iat: 200, exp: 4000 }), expires: 1 };
    expect(compareFreshness(newer, older)).toBeGreaterThan(0);
    expect(compareFreshness(older, newer)).toBeLessThan(0);
  });
  it('falls back to JWT exp, then expires, then updatedAt', () => {
    expect(
      compareFreshness(
        { access: jwt({ iat: 1, exp: 9 }), expires: 0 },
        { access: jwt({ iat: 1, exp: 8 }), expires: 5 },
      ),
    ).toBeGreaterThan(0);
    expect(
      compareFreshness({ access: 'opaque-a', expires: 20 }, { access: 'opaque-b', expires: 10 }),
    ).toBeGreaterThan(0);
    expect(
      compareFreshness(
        { access: 'a', expires: 10, updatedAt: 1 },
        { access: 'b', expires: 10, updatedAt: 2 },
      ),
    ).toBeLessThan(0);
    expect(compareFreshness({ access: 'a', expires: null }, { access: 'b', expires: null })).toBe(0);
  });
  it('picks the freshest copy, the first one on a tie', () => {
    const a = { access: 'a', expires: 10, id: 'a' };
    const b = { access: 'b', expires: 30, id: 'b' };
    const c = { access: 'c', expires: 30, id: 'c' };
    expect(pickFreshest([a, b, c])?.id).toBe('b');
    expect(pickFreshest([])).toBeUndefined();
  });
});
