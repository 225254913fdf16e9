import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '../store/types.js';
import { fingerprint } from '../util/fingerprint.js';
import { checkInStep } from './in-step.js';

const jwt = (iat: number) => {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none' })}.${b64({ iat, exp: iat + 864_000, 'https://api.openai.com/auth': { chatgpt_account_id: 'acct-fake' } })}.fake-signature`;
};

const profile: Profile = {
  id: 'openai-codex:default',
  provider: 'openai-codex',
  name: 'default',
  type: 'oauth',
  accountId: 'acct-fake',
  email: null,
  access: jwt(1_790_000_000),
  refresh: 'fake-refresh-store',
  expires: (1_790_000_000 + 864_000) * 1000,
  issuedAt: 1_790_000_000_000,
  generation: 3,
  status: 'ok',
  statusReason: null,
  statusAt: null,
  leaseOwner: null,
  leaseUntil: null,
  createdAt: 0,
  updatedAt: 0,
  rotatedAt: null,
};

describe('linked source in step', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-instep-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const authJson = (name: string, tokens: unknown) => {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify({ auth_mode: 'chatgpt', OPENAI_API_KEY: null, tokens }));
    return path;
  };
  const codexTokens = (access: string, refresh: string): Record<string, string> => ({
    id_token: jwt(1),
    access_token: access,
    refresh_token: refresh,
    account_id: 'acct-fake',
  });
  const ref = (location: string, kind = 'codex-auth-json') => ({
    profileId: profile.id,
    kind,
    location,
    addedAt: 0,
  });

  it.each([
    ['in_step', (): unknown => codexTokens(profile.access!, profile.refresh!), fingerprint(profile.refresh)],
    [
      'behind',
      (): unknown => codexTokens(jwt(1_789_000_000), 'fake-refresh-older'),
      fingerprint('fake-refresh-older'),
    ],
    [
      'ahead',
      (): unknown => codexTokens(jwt(1_791_000_000), 'fake-refresh-newer'),
      fingerprint('fake-refresh-newer'),
    ],
    ['missing', (): unknown => null, null],
  ] as const)('%s', async (state, make, fp) => {
    const step = await checkInStep(profile, ref(authJson(state, make())));
    expect(step).toMatchObject({ state, refreshFp: fp });
  });

  it('unreadable files and unknown kinds say why', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    expect(await checkInStep(profile, ref(bad))).toMatchObject({
      state: 'unreadable',
      detail: expect.stringContaining(bad),
    });
    expect(await checkInStep(profile, ref(bad, 'nope'))).toMatchObject({
      state: 'unreadable',
      detail: 'no adapter for nope',
    });
  });
});
