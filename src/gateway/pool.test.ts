import { describe, expect, it } from 'vitest';
import { conversationKey, QuotaAwarePool, type QuotaSource } from './pool.js';

/** Quotas set by the test: used share per login and exhausted-until times. */
function quotas(used: Record<string, number>, until: Record<string, number> = {}): QuotaSource {
  return {
    headroom: (id, now) => ((until[id] ?? 0) > now ? 0 : 1 - (used[id] ?? 0)),
    exhaustedUntil: (id, now) => ((until[id] ?? 0) > now ? (until[id] ?? null) : null),
  };
}

const IDS = ['openai-codex:a', 'openai-codex:b', 'openai-codex:c'];

describe('QuotaAwarePool', () => {
  it('sends a new conversation to the login with the most headroom and keeps it there', () => {
    const used: Record<string, number> = {
      'openai-codex:a': 0.7,
      'openai-codex:b': 0.2,
      'openai-codex:c': 0.5,
    };
    const pool = new QuotaAwarePool(quotas(used));
    expect(pool.plan('openai-codex', IDS, 'conv-1', 0).ids).toEqual([
      'openai-codex:b',
      'openai-codex:c',
      'openai-codex:a',
    ]);
    used['openai-codex:b'] = 0.9; // b fills up, but conv-1 stays on it while it can serve
    expect(pool.plan('openai-codex', IDS, 'conv-1', 0).ids[0]).toBe('openai-codex:b');
    expect(pool.plan('openai-codex', IDS, 'conv-2', 0).ids[0]).toBe('openai-codex:c');
  });

  it('leaves an exhausted login out until its reset and moves its conversations, saying from where', () => {
    const until: Record<string, number> = {};
    const pool = new QuotaAwarePool(
      quotas({ 'openai-codex:b': 0.1, 'openai-codex:a': 0.5, 'openai-codex:c': 0.5 }, until),
    );
    expect(pool.plan('openai-codex', IDS, 'conv', 0).ids[0]).toBe('openai-codex:b');
    until['openai-codex:b'] = 5000;
    const moved = pool.plan('openai-codex', IDS, 'conv', 1000);
    expect(moved.ids).not.toContain('openai-codex:b');
    expect(moved.exhausted).toEqual([{ profileId: 'openai-codex:b', until: 5000 }]);
    expect(moved.movedFrom).toEqual({ profileId: 'openai-codex:b', until: 5000 });
    // the conversation now lives on its new login; no second move
    const again = pool.plan('openai-codex', IDS, 'conv', 2000);
    expect(again.ids[0]).toBe(moved.ids[0]);
    expect(again.movedFrom).toBeNull();
    // after the reset, b is back for new conversations
    expect(pool.plan('openai-codex', IDS, 'new', 6000).ids).toContain('openai-codex:b');
  });

  it('rotates logins of equal headroom so fresh logins share new conversations', () => {
    const pool = new QuotaAwarePool(quotas({}));
    const firsts = ['x', 'y', 'z'].map((c) => pool.plan('openai-codex', IDS, c, 0).ids[0]);
    expect(new Set(firsts).size).toBe(3);
  });
});

describe('conversationKey', () => {
  it.each([
    [{ prompt_cache_key: 'k1', metadata: { user_id: 'u' } }, { session_id: 's' }, 'pck:k1'],
    [{ metadata: { user_id: 'user_abc_session_123' } }, {}, 'uid:user_abc_session_123'],
    [{}, { session_id: 's1' }, 'sid:s1'],
    [{}, { 'session-id': 's2' }, 'sid:s2'],
    [{}, {}, 'client:agent'],
  ])('%j %j -> %s', (json, headers, key) => expect(conversationKey(json, headers, 'agent')).toBe(key));
});
