import { describe, expect, it } from 'vitest';
import { createAccount } from './accounts.js';
import { Ledger, type RefreshOutcome } from './ledger.js';

const T0 = 1_700_000_000_000;

function rotated(outcome: RefreshOutcome): string {
  if (outcome.kind !== 'rotated') throw new Error(`expected a rotation, got ${outcome.kind}`);
  return outcome.refresh;
}

function codexFamily(ledger: Ledger) {
  return ledger.startFamily('openai-codex', createAccount('openai-codex', { email: 'a@example.com' }));
}

describe('Ledger', () => {
  it('rotates along a chain, each token single-use', () => {
    const ledger = new Ledger({ kind: 'strict' });
    const family = codexFamily(ledger);
    const first = family.current;
    const second = rotated(ledger.refresh('openai-codex', first, T0));
    const third = rotated(ledger.refresh('openai-codex', second, T0 + 1));
    expect(new Set([first, second, third]).size).toBe(3);
    expect(family.current).toBe(third);
    expect(third).toMatch(/^rt_[A-Za-z0-9_-]{40,}$/);
    const counters = ledger.counters();
    expect(counters.rotations).toBe(2);
    expect(counters.refreshes).toEqual({
      total: 2,
      byFamily: { [family.id]: 2 },
      byProvider: { 'openai-codex': 2 },
    });
  });

  it('strict: a spent token is reused and the family lives on', () => {
    const ledger = new Ledger({ kind: 'strict' });
    const family = codexFamily(ledger);
    const first = family.current;
    const second = rotated(ledger.refresh('openai-codex', first, T0));
    expect(ledger.refresh('openai-codex', first, T0 + 1).kind).toBe('reused');
    expect(rotated(ledger.refresh('openai-codex', second, T0 + 2))).toBe(family.current);
    expect(ledger.counters()).toMatchObject({ reuseHits: 1, rotations: 2, revokedFamilies: [] });
  });

  it('grace: the previous token returns the issued successor inside the window only', () => {
    const ledger = new Ledger({ kind: 'grace', seconds: 30 });
    const family = codexFamily(ledger);
    const first = family.current;
    const second = rotated(ledger.refresh('openai-codex', first, T0));
    expect(ledger.refresh('openai-codex', first, T0 + 30_000)).toEqual({
      kind: 'grace',
      family,
      refresh: second,
    });
    expect(ledger.refresh('openai-codex', first, T0 + 30_001).kind).toBe('reused');
    expect(ledger.counters()).toMatchObject({ graceHits: 1, reuseHits: 1, rotations: 1 });
  });

  it('family: reuse revokes the family, its live token and its access tokens', () => {
    const ledger = new Ledger({ kind: 'family' });
    const family = codexFamily(ledger);
    const first = family.current;
    ledger.recordAccess('jti-1', family.id, T0 + 3_600_000);
    const second = rotated(ledger.refresh('openai-codex', first, T0));
    expect(ledger.refresh('openai-codex', first, T0 + 1).kind).toBe('reused');
    expect(ledger.refresh('openai-codex', second, T0 + 2).kind).toBe('invalidated');
    expect(ledger.checkAccess('jti-1', T0 + 3).status).toBe('revoked');
    expect(ledger.counters().revokedFamilies).toEqual([family.id]);
  });

  it('does not know tokens of another provider or made-up ones', () => {
    const ledger = new Ledger({ kind: 'strict' });
    const family = codexFamily(ledger);
    expect(ledger.refresh('anthropic', family.current, T0).kind).toBe('unknown');
    expect(ledger.refresh('openai-codex', 'rt_nope', T0).kind).toBe('unknown');
    expect(ledger.counters().refreshes.byFamily).toEqual({});
  });

  it('expires access tokens at their expiry', () => {
    const ledger = new Ledger({ kind: 'strict' });
    const family = codexFamily(ledger);
    ledger.recordAccess('k', family.id, T0 + 1000);
    expect(ledger.checkAccess('k', T0 + 999).status).toBe('ok');
    expect(ledger.checkAccess('k', T0 + 1000).status).toBe('expired');
    expect(ledger.checkAccess('other', T0).status).toBe('unknown');
  });
});
