import { describe, expect, it } from 'vitest';
import type { Profile } from '../store/types.js';
import { decideLease, leaseExpectation } from './lease.js';

const row = (over: Partial<Profile> = {}): Profile => ({
  id: 'openai-codex:a',
  provider: 'openai-codex',
  name: 'a',
  type: 'oauth',
  accountId: null,
  email: null,
  access: 'fake-access',
  refresh: 'fake-refresh',
  expires: 2000,
  issuedAt: 0,
  generation: 1,
  status: 'ok',
  statusReason: null,
  statusAt: null,
  leaseOwner: null,
  leaseUntil: null,
  createdAt: 0,
  updatedAt: 0,
  rotatedAt: null,
  ...over,
});
const rules = { owner: 'h1/1/a', now: 1000, fresh: false, holderDead: false };

describe('decideLease', () => {
  it.each([
    ['a free row is claimed', row(), rules, { kind: 'claim', tookOverFrom: null }],
    ['needs_reauth fails fast', row({ status: 'needs_reauth' }), rules, { kind: 'needs_reauth' }],
    ['a fresh row is adopted', row(), { ...rules, fresh: true }, { kind: 'fresh' }],
    [
      'a live lease of another owner is waited on',
      row({ leaseOwner: 'h2/9/b', leaseUntil: 1001 }),
      rules,
      { kind: 'held' },
    ],
    [
      'our own lease is reclaimed',
      row({ leaseOwner: 'h1/1/a', leaseUntil: 5000 }),
      rules,
      { kind: 'claim', tookOverFrom: null },
    ],
    [
      'an expired lease is taken over',
      row({ leaseOwner: 'h2/9/b', leaseUntil: 1000 }),
      rules,
      { kind: 'claim', tookOverFrom: 'h2/9/b' },
    ],
    [
      'a live lease of a dead owner is taken over',
      row({ leaseOwner: 'h1/9/b', leaseUntil: 5000 }),
      { ...rules, holderDead: true },
      { kind: 'claim', tookOverFrom: 'h1/9/b' },
    ],
  ] as const)('%s', (_name, p, input, want) => {
    expect(decideLease(p, input)).toEqual(want);
  });

  it('weighs only plain data: every input survives structuredClone (a worker thread boundary)', () => {
    expect(() => structuredClone(rules)).not.toThrow();
    expect(leaseExpectation(row({ leaseOwner: 'h2/9/b', leaseUntil: 7, generation: 3 }))).toEqual({
      generation: 3,
      status: 'ok',
      leaseOwner: 'h2/9/b',
      leaseUntil: 7,
    });
  });
});
