import { describe, expect, it } from 'vitest';
import type { ProfileView } from '../store/profile-view.js';
import { formatProfileDetails } from './profile-details.js';

const now = Date.UTC(2026, 11, 2, 12, 0, 0);
const view: ProfileView = {
  id: 'openai-codex:default',
  provider: 'openai-codex',
  name: 'default',
  type: 'oauth',
  accountId: 'acct-1',
  email: 'me@example.test',
  status: 'ok',
  statusReason: null,
  generation: 3,
  accessFp: 'ab12cd34/1200',
  refreshFp: 'ef56ab78/64',
  expires: now + 3_562_000,
  expiresInSeconds: 3562,
  rotatedAt: now - 125_000,
  lease: null,
  updatedAt: now - 125_000,
};

describe('profiles show', () => {
  it('prints labels a person reads, not internal keys', () => {
    const text = formatProfileDetails(view, now).join('\n');
    expect(text).toMatch(/^expires\s+in 59m 22s \(2026-12-02T12:59:22\.000Z\)$/m);
    expect(text).toMatch(/^last rotation\s+2m 5s ago/m);
    expect(text).toMatch(/^account\s+me@example\.test, account acct-1$/m);
    expect(text).toMatch(/^refresh token\s+fingerprint ef56ab78\/64$/m);
    for (const key of ['expiresInSeconds', 'accessFp', 'refreshFp', 'rotatedAt', 'updatedAt', 'statusReason'])
      expect(text).not.toContain(key);
  });

  it('says when a token expired, and that an API key has no refresh token', () => {
    const text = formatProfileDetails(
      { ...view, type: 'api_key', expires: now - 60_000, expiresInSeconds: -60, rotatedAt: null },
      now,
    ).join('\n');
    expect(text).toMatch(/^expires\s+expired 1m 0s ago/m);
    expect(text).toMatch(/^last rotation\s+never$/m);
    expect(text).not.toContain('refresh token');
  });
});
