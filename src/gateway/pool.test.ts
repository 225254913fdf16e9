import { describe, expect, it } from 'vitest';
import { conversationKey, QuotaAwarePool, type QuotaSource } from './pool.js';

/** Quotas set by the test: used share, exhausted-until and reset times per login. */
function quotas(
  used: Record<string, number>,
  until: Record<string, number> = {},
  resets: Record<string, number | 'idle'> = {},
): QuotaSource {
  return {
    headroom: (id, now) => ((until[id] ?? 0) > now ? 0 : 1 - (used[id] ?? 0)),
    exhaustedUntil: (id, now) => ((until[id] ?? 0) > now ? (until[id] ?? null) : null),
    resetsAt: (id) => resets[id] ?? null,
  };
}

const IDS = ['openai-codex:a', 'openai-codex:b', 'openai-codex:c'];

describe('QuotaAwarePool (drain first)', () => {
  const [A, B, C] = IDS as [string, string, string];

  it('sends a new conversation to the login whose window resets soonest while it has room, and keeps it there', () => {
    const used: Record<string, number> = { [A]: 0.7, [B]: 0.2, [C]: 0.5 };
    const pool = new QuotaAwarePool(quotas(used, {}, { [A]: 9_000, [B]: 5_000, [C]: 7_000 }));
    expect(pool.plan('openai-codex', IDS, 'conv-1', 0).ids).toEqual([B, C, A]);
    used[B] = 0.85; // b fills up, but conv-1 stays on it while it can serve
    expect(pool.plan('openai-codex', IDS, 'conv-1', 0).ids[0]).toBe(B);
    expect(pool.plan('openai-codex', IDS, 'conv-2', 0).ids[0]).toBe(B);
  });

  it('spills new conversations to the next login before the cap', () => {
    const used: Record<string, number> = { [A]: 0.95, [B]: 0.2, [C]: 0.5 };
    const pool = new QuotaAwarePool(quotas(used, {}, { [A]: 1_000, [B]: 5_000, [C]: 7_000 }));
    expect(pool.plan('openai-codex', IDS, 'new', 0).ids).toEqual([B, C, A]);
  });

  it('gives a login whose window started over the next request, so its clock runs again', () => {
    const resets: Record<string, number | 'idle'> = { [A]: 5_000, [B]: 6_000, [C]: 7_000 };
    const pool = new QuotaAwarePool(quotas({ [A]: 0.5, [B]: 0.5, [C]: 0.5 }, {}, resets));
    expect(pool.plan('openai-codex', IDS, 'conv', 0).ids[0]).toBe(A);
    resets[C] = 'idle';
    const plan = pool.plan('openai-codex', IDS, 'conv', 8_000);
    expect(plan.ids[0]).toBe(C);
    expect(plan.movedFrom).toBeNull();
    // once C runs again, the conversation stays there
    resets[C] = 8_000 + 18_000_000;
    expect(pool.plan('openai-codex', IDS, 'conv', 9_000).ids[0]).toBe(C);
  });

  it('never moves a conversation for a login it knows nothing about (no reading)', () => {
    const resets: Record<string, number | 'idle'> = { [A]: 5_000 };
    const pool = new QuotaAwarePool(quotas({}, {}, resets));
    expect(pool.plan('openai-codex', IDS, 'conv', 0).ids[0]).toBe(B); // unknown first for a new one
    pool.settle('openai-codex', 'conv', A);
    expect(pool.plan('openai-codex', IDS, 'conv', 1).ids[0]).toBe(A);
  });

  it('leaves an exhausted login out until its reset and moves its conversations, saying from where', () => {
    const until: Record<string, number> = {};
    const pool = new QuotaAwarePool(
      quotas({ [B]: 0.1, [A]: 0.5, [C]: 0.5 }, until, { [A]: 9e3, [B]: 4e3, [C]: 9e3 }),
    );
    expect(pool.plan('openai-codex', IDS, 'conv', 0).ids[0]).toBe(B);
    until[B] = 5000;
    const moved = pool.plan('openai-codex', IDS, 'conv', 1000);
    expect(moved.ids).not.toContain(B);
    expect(moved.exhausted).toEqual([{ profileId: B, until: 5000 }]);
    expect(moved.movedFrom).toEqual({ profileId: B, until: 5000 });
    // the conversation now lives on its new login; no second move
    const again = pool.plan('openai-codex', IDS, 'conv', 2000);
    expect(again.ids[0]).toBe(moved.ids[0]);
    expect(again.movedFrom).toBeNull();
    // after the reset, b is back for new conversations
    expect(pool.plan('openai-codex', IDS, 'new', 6000).ids).toContain(B);
  });
});

describe('conversationKey', () => {
  it.each([
    [{ previous_response_id: 'resp_1', prompt_cache_key: 'k1' }, { session_id: 's' }, 'resp:resp_1'],
    [{ prompt_cache_key: 'k1', metadata: { user_id: 'u' } }, { session_id: 's' }, 'pck:k1'],
    [{ metadata: { user_id: 'user_abc_session_123' } }, {}, 'uid:user_abc_session_123'],
    [{}, { session_id: 's1' }, 'sid:s1'],
    [{}, { 'session-id': 's2' }, 'sid:s2'],
    [{}, {}, 'client:agent'],
  ])('%j %j -> %s', (json, headers, key) => expect(conversationKey(json, headers, 'agent')).toBe(key));
});
