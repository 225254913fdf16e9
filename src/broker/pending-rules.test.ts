import { describe, expect, it } from 'vitest';
import { fingerprint } from '../util/fingerprint.js';
import { commitRetryDelayMs, decideCommitFailure, judgePending } from './pending-rules.js';

const spent = 'rt-fake-spent';
const next = 'rt-fake-next';
const pending = { generation: 4, presentedFp: fingerprint(spent), refreshFp: fingerprint(next) };

describe('judgePending', () => {
  it.each([
    ['row still holds the presented token', { generation: 4, refresh: spent }, 'adopt'],
    ['row already holds the rotated token', { generation: 5, refresh: next }, 'settled'],
    [
      'row holds the rotated token at the old generation (adopted elsewhere)',
      { generation: 4, refresh: next },
      'settled',
    ],
    ['row was replaced by a login', { generation: 5, refresh: 'rt-fake-login' }, 'superseded'],
    ['presented token back at another generation', { generation: 6, refresh: spent }, 'superseded'],
    ['row lost its refresh token', { generation: 4, refresh: null }, 'superseded'],
    ['profile removed', null, 'superseded'],
  ] as const)('%s → %s', (_name, row, want) => {
    expect(judgePending(pending, row)).toBe(want);
  });
});

describe('decideCommitFailure', () => {
  it.each([
    ['store_full', 'release_and_retry'],
    ['store_busy', 'hold'],
    ['store_io', 'hold'],
    ['store_readonly', 'hold'],
    ['store_denied', 'hold'],
    ['store_corrupt', 'rethrow'],
    [null, 'rethrow'],
  ] as const)('%s → %s', (code, want) => {
    expect(decideCommitFailure(code)).toBe(want);
  });
});

describe('commitRetryDelayMs', () => {
  it.each([
    [1, 250],
    [2, 500],
    [3, 1000],
    [8, 30_000],
    [50, 30_000],
  ])('after %i failures waits %i ms', (failures, ms) => {
    expect(commitRetryDelayMs(failures)).toBe(ms);
  });
});
