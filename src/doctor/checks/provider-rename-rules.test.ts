import { describe, expect, it } from 'vitest';
import { allocateProfileId, renameInConfig, renameInStore } from './provider-rename-rules.js';

const oauth = (refresh: string, provider = 'openai-codex') => ({
  type: 'oauth',
  provider,
  access: `fake-access-${refresh}`,
  refresh,
  expires: 1,
});

describe('openai-codex → openai rename rules (as OpenClaw’s own doctor makes them)', () => {
  it.each([
    ['openai-codex:default', [], 'openai:default'],
    ['openai-codex:default', ['openai:default'], 'openai:chatgpt-default'],
    [
      'openai-codex:me@x.invalid',
      ['openai:me@x.invalid', 'openai:chatgpt-me@x.invalid'],
      'openai:chatgpt-me@x.invalid-2',
    ],
  ])('allocates %s with %j taken → %s', (id, taken, want) => {
    expect(allocateProfileId(id, new Set(taken))).toBe(want);
  });

  it('renames ids, providers, order, lastGood and usageStats; unknown fields and other profiles stay', () => {
    const store = {
      version: 1,
      extra: { kept: true },
      profiles: {
        'openai-codex:default': { ...oauth('fake-r1'), accountId: 'acct', custom: 1 },
        'openai:work': oauth('fake-r2'),
        'anthropic:me': oauth('fake-r3', 'anthropic'),
      },
    };
    const state = {
      version: 1,
      order: {
        'openai-codex': ['openai-codex:default'],
        openai: ['openai:work'],
        anthropic: ['anthropic:me'],
      },
      lastGood: { 'openai-codex': 'openai-codex:default', anthropic: 'anthropic:me' },
      usageStats: { 'openai-codex:default': { lastUsed: 5 }, 'anthropic:me': { lastUsed: 6 } },
    };
    const r = renameInStore(store, state)!;
    expect(r.store.profiles).toEqual({
      'openai:default': { ...oauth('fake-r1', 'openai'), accountId: 'acct', custom: 1 },
      'openai:work': oauth('fake-r2', 'openai'),
      'anthropic:me': oauth('fake-r3', 'anthropic'),
    });
    expect(r.store.extra).toEqual({ kept: true });
    expect(r.state).toEqual({
      version: 1,
      order: { openai: ['openai:default', 'openai:work'], anthropic: ['anthropic:me'] },
      lastGood: { anthropic: 'anthropic:me', openai: 'openai:default' },
      usageStats: { 'openai:default': { lastUsed: 5 }, 'anthropic:me': { lastUsed: 6 } },
    });
    expect([...r.map]).toEqual([['openai-codex:default', 'openai:default']]);
    // Idempotent: the result has nothing left to rename; the input was not mutated.
    expect(renameInStore(r.store, r.state)).toBeNull();
    expect(Object.keys(store.profiles)).toContain('openai-codex:default');
  });

  it('a collision keeps both credentials; the very same credential under both ids is folded into one', () => {
    const apiKey = { type: 'api_key', provider: 'openai', key: 'fake-sk' };
    const clash = renameInStore(
      { profiles: { 'openai-codex:default': oauth('fake-r1'), 'openai:default': apiKey } },
      null,
    )!;
    expect(clash.store.profiles).toEqual({
      'openai:default': apiKey,
      'openai:chatgpt-default': oauth('fake-r1', 'openai'),
    });
    const same = renameInStore(
      {
        profiles: { 'openai-codex:default': oauth('fake-r1'), 'openai:default': oauth('fake-r1', 'openai') },
      },
      { order: { openai: ['openai-codex:default'] } },
    )!;
    expect(same.store.profiles).toEqual({ 'openai:default': oauth('fake-r1', 'openai') });
    expect(same.state).toEqual({ order: { openai: ['openai:default'] } });
  });

  it('a record under a refresh fence or with an oauthRef sidecar keeps its id, and so do the refs to it', () => {
    const fenced = {
      ...oauth('openclaw-oauth-refresh-fence:v1:abc:refresh:def'),
      access: 'openclaw-oauth-refresh-fence:v1:abc:access:0',
    };
    const sidecar = { type: 'oauth', provider: 'openai-codex', oauthRef: { id: 'a'.repeat(32) } };
    const r = renameInStore(
      {
        profiles: {
          'openai-codex:default': fenced,
          'openai-codex:side': sidecar,
          'openai-codex:b': oauth('fake-b'),
        },
      },
      {
        order: { 'openai-codex': ['openai-codex:default', 'openai-codex:b'] },
        lastGood: { 'openai-codex': 'openai-codex:default' },
      },
    )!;
    expect([...r.kept]).toEqual([
      ['openai-codex:default', 'refresh_fence'],
      ['openai-codex:side', 'oauth_sidecar'],
    ]);
    expect(Object.keys(r.store.profiles as object).sort()).toEqual([
      'openai-codex:default',
      'openai-codex:side',
      'openai:b',
    ]);
    expect(r.state).toEqual({
      order: { 'openai-codex': ['openai-codex:default'], openai: ['openai:b'] },
      lastGood: { 'openai-codex': 'openai-codex:default' },
    });
    const cfg = renameInConfig(
      { auth: { order: { openai: ['openai-codex:default', 'openai-codex:b'] } } },
      r.map,
      new Set(r.kept.keys()),
    )!;
    expect(cfg.config).toEqual({ auth: { order: { openai: ['openai-codex:default', 'openai:b'] } } });
  });

  it('a store with nothing stale is left alone', () => {
    expect(renameInStore({ profiles: { 'openai:default': oauth('fake-r1', 'openai') } }, null)).toBeNull();
  });

  it('rewrites config profiles, order, model refs and profile refs, following the ids the stores chose', () => {
    const cfg = {
      gateway: { port: 1 },
      auth: {
        profiles: { 'openai-codex:default': { provider: 'openai-codex', mode: 'oauth' } },
        order: { 'openai-codex': ['openai-codex:default'], openai: ['openai-codex:default'] },
      },
      agents: {
        defaults: {
          model: { primary: 'openai-codex/gpt-5.5', fallbacks: ['anthropic/claude-sonnet-4-5'] },
          models: { 'openai-codex/gpt-5.5': { agentRuntime: { authProfileId: 'openai-codex:default' } } },
        },
        list: [{ id: 'work', model: 'openai-codex/gpt-5.4' }],
      },
    };
    const r = renameInConfig(cfg, new Map([['openai-codex:default', 'openai:chatgpt-default']]))!;
    expect(r.config).toEqual({
      gateway: { port: 1 },
      auth: {
        profiles: { 'openai:chatgpt-default': { provider: 'openai', mode: 'oauth' } },
        order: { openai: ['openai:chatgpt-default'] },
      },
      agents: {
        defaults: {
          model: { primary: 'openai/gpt-5.5', fallbacks: ['anthropic/claude-sonnet-4-5'] },
          models: { 'openai/gpt-5.5': { agentRuntime: { authProfileId: 'openai:chatgpt-default' } } },
        },
        list: [{ id: 'work', model: 'openai/gpt-5.4' }],
      },
    });
    expect(renameInConfig(r.config, new Map())).toBeNull();
  });
});
