import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../config/schema.js';
import { checkConfigReferences } from './config-references.js';

const parse = (raw: unknown) => ConfigSchema.parse(raw);

describe('checkConfigReferences', () => {
  it('reports every dangling reference in one pass, each with its key path', () => {
    const config = parse({
      providers: { 'open-ai': { strategy: 'ordered' } },
      models: { fast: 'chain:gone', slow: 'nowhere/x', ok: 'chain:main', plain: 'gpt-5' },
      chains: {
        main: [
          'openai-codex/gpt-5',
          'mystery/model-x',
          { target: 'anthropic/claude-sonnet-4-5', profile: 'anthropic:gone' },
          { target: 'anthropic/claude-sonnet-4-5', profiles: ['openai-codex:default'] },
        ],
      },
    });
    // The schema refuses a dangling defaultChain on its own; `config check` loads without that rule.
    const issues = checkConfigReferences(
      { ...config, defaultChain: 'nightly' },
      {
        profiles: ['openai-codex:default', 'anthropic:claude'],
        clients: [
          { name: 'agent', chain: 'nightly' },
          { name: 'ok', chain: 'main' },
        ],
      },
    );
    expect(issues.map((i) => i.path)).toEqual([
      'providers.open-ai',
      'chains.main[1]',
      'chains.main[2].profile',
      'chains.main[3].profiles[0]',
      'models.fast',
      'models.slow',
      'defaultChain',
      'client agent',
    ]);
    expect(issues[0]!.message).toContain('unknown provider; known providers: openai-codex');
    expect(issues[2]!.message).toContain('no profile anthropic:gone in the store');
    expect(issues[3]!.message).toContain('belongs to openai-codex');
    expect(issues[4]!.message).toContain('"chain:gone": no chain named "gone"');
    expect(issues[5]!.message).toContain('unknown provider "nowhere"');
    expect(issues[6]!.message).toContain('no chain named "nightly"');
    expect(issues[7]!.message).toContain('"nightly" is not defined');
  });

  it('without a store, checks what it can and finds nothing wrong in a sound config', () => {
    const config = parse({ chains: { main: ['openai-codex/gpt-5'] }, defaultChain: 'main' });
    expect(checkConfigReferences(config, null)).toEqual([]);
  });
});
