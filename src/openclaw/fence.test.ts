import { describe, expect, it } from 'vitest';
import {
  isFencedGeneration,
  isProvablyFresherThanFence,
  parseRefreshFence,
  refreshGenerationDigest,
} from './fence.js';
import { parseProfileRecord } from './profile.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (iat: number) => `${b64({ alg: 'none' })}.${b64({ iat, exp: iat + 1000 })}.fake`;
const CLAIM = 'a'.repeat(32);
const fenceOf = (refresh: string, failed = false) => {
  const d = refreshGenerationDigest('openai-codex:default', 'openai-codex', refresh);
  const f = failed ? 'failed:' : '';
  return parseProfileRecord('openai-codex:default', {
    type: 'oauth',
    provider: 'openai-codex',
    access: `openclaw-oauth-refresh-fence:v1:${CLAIM}:${f}access:${'b'.repeat(64)}`,
    refresh: `openclaw-oauth-refresh-fence:v1:${CLAIM}:${f}refresh:${d}`,
    expires: 1,
  })!;
};
const copy = (refresh: string, iat: number, updatedAt: number | null = null) => ({
  profile: parseProfileRecord('x:y', { type: 'oauth', provider: 'openai-codex', access: jwt(iat), refresh })!,
  updatedAt,
});

describe('OpenClaw refresh fences', () => {
  it('parses only the exact v1 shape (pending and failed), with expires 1', () => {
    expect(parseRefreshFence(fenceOf('r1'))).toMatchObject({ claimId: CLAIM, state: 'pending' });
    expect(parseRefreshFence(fenceOf('r1', true))?.state).toBe('failed');
    const notOne = fenceOf('r1');
    notOne.raw = { ...notOne.raw, expires: 2 };
    expect(parseRefreshFence(notOne)).toBeNull();
    expect(parseRefreshFence(copy('r1', 1).profile)).toBeNull();
  });

  it('digest matches OpenClaw 2026.9.6 (value taken from a fence its own code wrote)', () => {
    expect(refreshGenerationDigest('openai-codex:default', 'openai-codex', 'fake-codex-refresh-1')).toBe(
      '2ac1d5fb0352ca6fae00ad80e8d0630a407d99127e3cb78a1a9076963b206593',
    );
  });

  const fenced = fenceOf('r1');
  const fence = parseRefreshFence(fenced)!;
  it.each([
    ['the fenced refresh token itself, even issued later', copy('r1', 900), [], 100, false],
    ['another token issued after the fence was written', copy('r2', 200), [], 100_000, true],
    ['another token issued before the fence, no fenced copy to compare', copy('r0', 50), [], 100_000, false],
    [
      'another token fresher than a copy of the fenced generation',
      copy('r2', 60),
      [copy('r1', 50)],
      null,
      true,
    ],
    [
      'another token older than a copy of the fenced generation',
      copy('r0', 40),
      [copy('r1', 50)],
      null,
      false,
    ],
    ['no time to prove anything', copy('r2', 60), [], null, false],
  ] as const)('%s → %s', (_name, candidate, fencedCopies, fenceAt, want) => {
    expect(isFencedGeneration(fence, fenced, candidate.profile)).toBe(candidate.profile.refresh === 'r1');
    expect(isProvablyFresherThanFence(fence, fenced, fenceAt, candidate, [...fencedCopies])).toBe(want);
  });
});
