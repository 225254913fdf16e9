import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../config/schema.js';
import { Cooldowns } from '../gateway/cooldowns.js';
import type { Profile } from '../store/types.js';
import { describeRouting } from './routing-view.js';

const profile = (id: string, status: Profile['status'] = 'ok'): Profile => {
  const [provider = '', name = ''] = id.split(':');
  return {
    id,
    provider,
    name,
    type: 'oauth',
    accountId: null,
    email: null,
    access: 'a',
    refresh: 'r',
    expires: null,
    issuedAt: null,
    generation: 1,
    status,
    statusReason: status === 'needs_reauth' ? 'refresh_token_reused' : null,
    statusAt: null,
    leaseOwner: null,
    leaseUntil: null,
    createdAt: 0,
    updatedAt: 0,
    rotatedAt: null,
  };
};

describe('routing view', () => {
  const config = ConfigSchema.parse({
    chains: {
      main: ['openai-codex/gpt-5', { target: 'anthropic/claude', profile: 'anthropic:b' }],
      other: ['openai/gpt-4.1'],
    },
    defaultChain: 'main',
  });

  it('names the first usable target@profile and why each skipped one is skipped', () => {
    const now = 1_000_000;
    const cooldowns = new Cooldowns(() => now);
    cooldowns.set('anthropic:b', 'claude', 30_000, 'rate_limited');
    const view = describeRouting(
      config,
      [
        profile('openai-codex:a', 'needs_reauth'),
        profile('openai-codex:off', 'disabled'),
        profile('anthropic:b'),
      ],
      cooldowns,
      now,
    );
    const main = view.chains.find((c) => c.name === 'main')!;
    expect(main.isDefault).toBe(true);
    expect(main.now).toBeNull();
    expect(main.targets.map((t) => t.candidates)).toEqual([
      [{ profileId: 'openai-codex:a', usable: false, why: 'needs re-auth (refresh_token_reused)' }],
      [{ profileId: 'anthropic:b', usable: false, why: 'cooling down after rate_limited for 30 s' }],
    ]);
    expect(view.cooldowns).toHaveLength(1);
    const other = view.chains.find((c) => c.name === 'other')!;
    expect(other.targets[0]!.candidates).toEqual([]);
  });

  it('uses the first ok profile that is not cooling down', () => {
    const view = describeRouting(
      config,
      [profile('openai-codex:a'), profile('anthropic:b')],
      new Cooldowns(),
    );
    expect(view.chains[0]!.now).toBe('openai-codex/gpt-5@openai-codex:a');
  });
});
