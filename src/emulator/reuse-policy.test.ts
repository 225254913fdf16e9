import { describe, expect, it } from 'vitest';
import { ClawkeepError } from '../errors.js';
import { formatReusePolicy, parseReusePolicy } from './reuse-policy.js';

describe('parseReusePolicy', () => {
  it('accepts strict, grace:<seconds> and family', () => {
    expect(parseReusePolicy('strict')).toEqual({ kind: 'strict' });
    expect(parseReusePolicy('grace:30')).toEqual({ kind: 'grace', seconds: 30 });
    expect(parseReusePolicy(' Grace:0.5 ')).toEqual({ kind: 'grace', seconds: 0.5 });
    expect(parseReusePolicy('family')).toEqual({ kind: 'family' });
  });

  it.each(['', 'sometimes', 'grace', 'grace:', 'grace:0', 'grace:-3', 'grace:ten'])(
    'rejects %j with a usage error naming the value and the accepted forms',
    (text) => {
      let caught: unknown;
      try {
        parseReusePolicy(text);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ClawkeepError);
      const err = caught as ClawkeepError;
      expect(err.code).toBe('usage');
      expect(err.message).toContain(JSON.stringify(text));
      expect(err.message).toContain('strict, grace:<seconds>');
      expect(err.message).toContain('family');
    },
  );

  it('round-trips through formatReusePolicy', () => {
    for (const text of ['strict', 'grace:30', 'family'])
      expect(formatReusePolicy(parseReusePolicy(text))).toBe(text);
  });
});
