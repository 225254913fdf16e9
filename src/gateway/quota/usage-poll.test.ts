import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential } from '../../broker/broker.js';
import { EmulatorControl, type MintedProfile } from '../../emulator/control-client.js';
import { type Emulator, startEmulator } from '../../emulator/server.js';
import type { Profile } from '../../store/types.js';
import { MODEL_ADAPTERS } from '../adapters.js';
import type { QuotaReading } from './reading.js';
import { loginsToPoll, UsagePoller } from './usage-poll.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const HOUR = 3_600_000;

function profile(id: string, o: Partial<Profile> = {}): Profile {
  const [provider = '', name = ''] = id.split(':');
  return {
    id,
    provider,
    name,
    type: 'oauth',
    accountId: 'acct',
    email: null,
    access: 'opaque-access',
    refresh: 'r',
    expires: NOW + 8 * HOUR,
    issuedAt: NOW - HOUR,
    generation: 1,
    status: 'ok',
    statusReason: null,
    statusAt: null,
    leaseOwner: null,
    leaseUntil: null,
    createdAt: NOW - HOUR,
    updatedAt: NOW - HOUR,
    rotatedAt: null,
    ...o,
  };
}

describe('loginsToPoll', () => {
  const readings: Record<string, number> = {
    'openai-codex:fresh': NOW - 60_000,
    'openai-codex:old': NOW - HOUR,
  };
  it.each([
    ['openai-codex:none', {}, true, 'no reading yet'],
    ['openai-codex:old', {}, true, 'its reading is older than the poll interval'],
    ['openai-codex:fresh', {}, false, 'traffic headers read it a minute ago'],
    ['anthropic:claude', {}, true, 'Claude logins too'],
    ['anthropic:key', { type: 'api_key' as const }, false, 'API keys have no usage endpoint'],
    ['openai:key', {}, false, 'no usage endpoint for the provider'],
    ['openai-codex:dead', { status: 'needs_reauth' as const }, false, 'not in service'],
    ['openai-codex:stale', { expires: NOW + 60_000 }, false, 'a poll never causes a rotation'],
  ])('%s: %s', (id, o, want, _why) => {
    const got = loginsToPoll([profile(id, o)], (i) => readings[i] ?? null, NOW, 5 * 60_000);
    expect(got.map((p) => p.id)).toEqual(want ? [id] : []);
  });
});

describe('UsagePoller against the emulator', () => {
  let emu: Emulator;
  let ctl: EmulatorControl;
  let codex: MintedProfile;
  let claude: MintedProfile;
  beforeAll(async () => {
    emu = await startEmulator();
    ctl = new EmulatorControl(emu.url);
    codex = await ctl.mint({ provider: 'openai-codex' });
    claude = await ctl.mint({ provider: 'anthropic' });
    await ctl.setQuota({ provider: 'openai-codex', accountId: codex.accountId, primaryPercent: 37 });
    await ctl.setQuota({ provider: 'anthropic', accountId: claude.accountId, primaryPercent: 64 });
  });
  afterAll(() => emu.close());

  function poller(profiles: Profile[], tokens: Record<string, string>) {
    const seen: Array<[string, QuotaReading]> = [];
    const asked: string[] = [];
    const env = emu.env();
    const adapters = new Map(
      [...MODEL_ADAPTERS].map(([id, a]) => [
        id,
        {
          credentialHeaders: (cred: Credential, base: Readonly<Record<string, string>>) => {
            asked.push(cred.profileId);
            return a.credentialHeaders(cred, base);
          },
        },
      ]),
    );
    const p = new UsagePoller({
      listProfiles: async () => profiles.map((x) => ({ ...x, access: tokens[x.id] ?? null })),
      adapters,
      baseUrl: (provider) =>
        provider === 'openai-codex'
          ? (env.CLAWKEEP_OPENAI_CODEX_BASE_URL ?? null)
          : (env.CLAWKEEP_ANTHROPIC_BASE_URL ?? null),
      lastReadingAt: (id) => seen.findLast(([i]) => i === id)?.[1].at ?? null,
      observe: (id, r) => seen.push([id, r]),
      save: async () => {},
      log: pino({ level: 'silent' }),
    });
    return { p, seen, asked };
  }

  it("reads each idle login's windows with the token the broker persisted", async () => {
    const now = Date.now();
    const profiles = [
      profile('openai-codex:a', { accountId: codex.accountId, expires: codex.expires, issuedAt: now }),
      profile('anthropic:c', { accountId: claude.accountId, expires: claude.expires, issuedAt: now }),
    ];
    const { p, seen, asked } = poller(profiles, {
      'openai-codex:a': codex.access,
      'anthropic:c': claude.access,
    });
    await p.runOnce(now);
    expect(asked).toEqual(['openai-codex:a', 'anthropic:c']);
    const byId = Object.fromEntries(seen);
    expect(byId['openai-codex:a']?.windows.find((w) => w.name === 'primary')).toMatchObject({
      usedRatio: 0.37,
      windowMinutes: 300,
    });
    expect(byId['openai-codex:a']?.extra.plan_type).toBe('plus');
    expect(byId['anthropic:c']?.windows.find((w) => w.name === '5h')).toMatchObject({ usedRatio: 0.64 });
    // The next pass within the interval leaves them be: their readings are fresh.
    await p.runOnce(now + 1000);
    expect(asked).toHaveLength(2);
  });

  it('concurrent passes share one pass: never two polls of a login in flight', async () => {
    const now = Date.now();
    const profiles = [
      profile('openai-codex:a', { accountId: codex.accountId, expires: codex.expires, issuedAt: now }),
    ];
    const { p, asked } = poller(profiles, { 'openai-codex:a': codex.access });
    await Promise.all([p.runOnce(now), p.runOnce(now), p.runOnce(now)]);
    expect(asked).toEqual(['openai-codex:a']);
  });

  it('a refused token is no reading (the provider said 401), and the pass goes on', async () => {
    const now = Date.now();
    const profiles = [
      profile('openai-codex:bad', { accountId: codex.accountId, expires: codex.expires, issuedAt: now }),
      profile('anthropic:c', { accountId: claude.accountId, expires: claude.expires, issuedAt: now }),
    ];
    const { p, seen } = poller(profiles, { 'openai-codex:bad': 'not-a-token', 'anthropic:c': claude.access });
    await p.runOnce(now);
    expect(seen.map(([id]) => id)).toEqual(['anthropic:c']);
  });
});
