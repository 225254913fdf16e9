import { describe, expect, it } from 'vitest';
import { canonicalProfileId, compareFreshness, deadReason, parseProfileRecord } from './profile.js';

const jwt = (iat: number, exp: number) =>
  `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iat, exp })).toString('base64url')}.fake`;
const copy = (raw: Record<string, unknown>, updatedAt: number | null = null) => ({
  profile: parseProfileRecord('openai:default', { type: 'oauth', provider: 'openai', ...raw })!,
  updatedAt,
});

describe('freshness order: JWT iat, then JWT exp, then expires, then updated_at', () => {
  it('iat decides before anything else', () => {
    const a = copy({ access: jwt(200, 300), expires: 1 }, 1);
    const b = copy({ access: jwt(100, 900), expires: 9 }, 9);
    expect(compareFreshness(a, b)).toBeGreaterThan(0);
  });
  it('falls through to exp, expires, updated_at when earlier keys tie or are missing', () => {
    expect(
      compareFreshness(copy({ access: jwt(100, 400) }), copy({ access: jwt(100, 300) })),
    ).toBeGreaterThan(0);
    expect(
      compareFreshness(copy({ access: 'opaque', expires: 5 }), copy({ access: jwt(1, 2), expires: 4 })),
    ).toBeGreaterThan(0);
    expect(compareFreshness(copy({ expires: 5 }, 2), copy({ expires: 5 }, 1))).toBeGreaterThan(0);
    expect(compareFreshness(copy({ expires: 5 }), copy({ expires: 5 }))).toBe(0);
  });
});

describe('OpenClaw profile records', () => {
  it('fence markers and a missing refresh token with an expired access token are dead', () => {
    expect(deadReason(copy({ refresh: 'openclaw-oauth-refresh-fence:v1:x', access: 'a' }).profile, 0)).toBe(
      'refresh_fence',
    );
    expect(deadReason(copy({ access: 'a', expires: 10 }).profile, 20)).toBe('no_refresh_token');
    expect(deadReason(copy({ access: 'a', refresh: 'r', expires: 10 }).profile, 20)).toBeNull();
  });
  it('openai-codex:* and openai:* are one profile across eras; legacy aliases parse', () => {
    expect(canonicalProfileId('openai-codex:default')).toBe('openai:default');
    expect(parseProfileRecord('x:y', { mode: 'apiKey', apiKey: 'k' })).toMatchObject({
      type: 'api_key',
      secret: 'k',
    });
  });
});
