import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../config/schema.js';
import { ProfilePicker, resolveRoute } from './routing.js';

const config = ConfigSchema.parse({
  chains: {
    main: ['openai-codex/gpt-5', { target: 'anthropic/claude-sonnet-4-5', profile: 'anthropic:work' }],
    rr: [{ target: 'openai/gpt-4.1', strategy: 'round-robin' }],
  },
  defaultChain: 'main',
});

describe('routing', () => {
  it('resolves chain:NAME, a bare chain name, provider/model and the default chain', () => {
    expect(resolveRoute('chain:main', null, config).targets.map((t) => `${t.provider}/${t.model}`)).toEqual([
      'openai-codex/gpt-5',
      'anthropic/claude-sonnet-4-5',
    ]);
    expect(resolveRoute('rr', null, config).chain).toBe('rr');
    expect(resolveRoute('anthropic/claude-opus-4', null, config)).toMatchObject({
      chain: null,
      targets: [{ provider: 'anthropic', model: 'claude-opus-4', profiles: null }],
    });
    expect(resolveRoute('', null, config).chain).toBe('main');
    expect(resolveRoute('default', 'rr', config).chain).toBe('rr');
    expect(resolveRoute('chain:main', null, config).targets[1]?.profiles).toEqual(['anthropic:work']);
  });

  it('refuses unknown models naming the options', () => {
    expect(() => resolveRoute('mistral-9', null, config)).toThrow(/chains: main, rr/);
    expect(() => resolveRoute('chain:nope', null, config)).toThrow(/unknown model "chain:nope"/);
  });

  it('uses the embedded default chain when the config has none', () => {
    expect(resolveRoute('', null, ConfigSchema.parse({})).targets[0]).toMatchObject({
      provider: 'openai-codex',
    });
  });

  it('orders profiles, rotating the start for round-robin', () => {
    const picker = new ProfilePicker();
    const rr = resolveRoute('rr', null, config).targets[0]!;
    expect([0, 1, 2].map(() => picker.order(rr, ['openai:a', 'openai:b'])[0])).toEqual([
      'openai:a',
      'openai:b',
      'openai:a',
    ]);
    const ordered = resolveRoute('chain:main', null, config).targets[0]!;
    expect(picker.order(ordered, ['openai-codex:a', 'openai-codex:b'])).toEqual([
      'openai-codex:a',
      'openai-codex:b',
    ]);
  });
});

describe('the default strategy', () => {
  it('is quota-aware for a pool of logins and ordered for one', async () => {
    const { strategyOf } = await import('./routing.js');
    const t = resolveRoute('openai-codex/gpt-5', null, ConfigSchema.parse({})).targets[0]!;
    expect(t.strategy).toBeNull();
    expect(strategyOf(t, ['openai-codex:a'])).toBe('ordered');
    expect(strategyOf(t, ['openai-codex:a', 'openai-codex:b'])).toBe('quota-aware');
    const picker = new ProfilePicker();
    const first = picker.plan(t, ['openai-codex:a', 'openai-codex:b'], 'conv-1').ids[0]!;
    picker.settle(t, 'conv-1', first);
    // Without readings, logins are drained in listed order; a conversation stays on its own.
    expect(first).toBe('openai-codex:a');
    const other = picker.plan(t, ['openai-codex:a', 'openai-codex:b'], 'conv-2').ids;
    expect(other).toEqual(['openai-codex:a', 'openai-codex:b']);
    for (let i = 0; i < 3; i++)
      expect(picker.plan(t, ['openai-codex:a', 'openai-codex:b'], 'conv-1').ids[0]).toBe(first);
  });
});
