import { describe, expect, it } from 'vitest';
import { type AgentAuth, deadOrders, reviveOrders } from './auth-order-rules.js';

/** An agent whose runtime loads these ids (provider from the id's prefix). */
const agent = (agentId: string, ids: string[], extraKnown: string[] = []): AgentAuth => {
  const held = new Map<string, string[]>();
  for (const id of ids) held.set(id.split(':')[0]!, [...(held.get(id.split(':')[0]!) ?? []), id]);
  return { agentId, held, known: new Set([...ids, ...extraKnown]) };
};
const order = (o: Record<string, unknown>) => ({ auth: { order: o } });

describe('auth-order rules: per agent', () => {
  const main = agent('main', ['openai:work']);
  // A non-main agent loads main's store too: its AgentAuth holds both.
  const work = agent('work', ['openai:work', 'openai:other']);

  it.each([
    [
      'an id only another agent holds is dead for this one',
      { openai: ['openai:other'] },
      [main, work],
      [['openai', ['main'], ['openai:work']]],
    ],
    ['an id every agent loads is fine', { openai: ['openai:work'] }, [main, work], []],
    [
      'an id no agent holds: every agent holding the provider',
      { openai: ['openai:gone'] },
      [main, work],
      [['openai', ['main', 'work'], ['openai:other', 'openai:work']]],
    ],
    ['an agent without that provider is not judged', { anthropic: ['anthropic:x'] }, [main, work], []],
    [
      'an id accounted for (leftover, taken over) is not dead',
      { openai: ['openai:gone'] },
      [agent('main', ['openai:work'], ['openai:gone'])],
      [],
    ],
    ['retired ids are provider-rename’s', { openai: ['openai-codex:default'] }, [main], []],
    ['an empty or non-string list is left alone', { openai: [], anthropic: [1] }, [main], []],
  ] as const)('%s', (_name, o, agents, want) => {
    expect(deadOrders(order(o), agents).map((d) => [d.provider, d.agents, d.held])).toEqual(want);
  });

  it('the repair appends what the dead agents hold, after the named ids, once', () => {
    const r = reviveOrders(order({ openai: ['openai:gone'] }), [main, work])!;
    expect(r.config).toEqual(order({ openai: ['openai:gone', 'openai:other', 'openai:work'] }));
    expect(r.changes).toEqual(['auth.order.openai += openai:other, openai:work']);
    expect(reviveOrders(r.config, [main, work])).toBeNull();
    expect(reviveOrders(order({ openai: ['openai:work'] }), [main, work])).toBeNull();
  });
});
