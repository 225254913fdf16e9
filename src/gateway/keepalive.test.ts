import { describe, expect, it } from 'vitest';
import type { Profile } from '../store/types.js';
import { idleLogins } from './keepalive.js';

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;

const profile = (id: string, over: Partial<Profile>): Profile =>
  ({
    id,
    provider: 'openai-codex',
    name: id,
    type: 'oauth',
    status: 'ok',
    refresh: 'fake-refresh',
    access: 'fake-access',
    createdAt: NOW - 30 * DAY,
    issuedAt: null,
    rotatedAt: null,
    ...over,
  }) as Profile;

describe('idleLogins', () => {
  it('picks OAuth logins in service unused for 80 % of the limit, by last rotation, issue or creation', () => {
    const ps = [
      profile('rotated-6d', { rotatedAt: NOW - 6 * DAY }),
      profile('rotated-5d', { rotatedAt: NOW - 5 * DAY }),
      profile('issued-1d', { issuedAt: NOW - DAY }),
      profile('created-30d', {}),
      profile('needs-reauth', { status: 'needs_reauth' }),
      profile('disabled', { status: 'disabled' }),
      profile('api-key', { type: 'api_key', refresh: null }),
    ];
    expect(idleLogins(ps, NOW, 7 * DAY).map((p) => p.id)).toEqual(['rotated-6d', 'created-30d']);
    expect(idleLogins(ps, NOW, 0)).toEqual([]);
  });
});
