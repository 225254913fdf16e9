import { describe, expect, it } from 'vitest';
import type { StoreEvent } from '../store/types.js';
import { bucketCounts, matches } from './events-read.js';

const ev = (
  seq: number,
  at: number,
  kind: StoreEvent['kind'],
  profileId: string | null = 'p:1',
): StoreEvent => ({
  seq,
  at,
  kind,
  profileId,
  data: {},
});

describe('event reading', () => {
  it('counts fallbacks and rotations (adoptions count as rotations) per bucket; others and out-of-range are ignored', () => {
    const events = [
      ev(1, 0, 'fallback'),
      ev(2, 5, 'rotated'),
      ev(3, 10, 'adopted'),
      ev(4, 15, 'fallback'),
      ev(5, 15, 'created'),
      ev(6, 99, 'fallback'),
    ];
    expect(bucketCounts(events, { from: 0, to: 20, buckets: 2 })).toEqual([
      { at: 0, fallbacks: 1, rotations: 1 },
      { at: 10, fallbacks: 1, rotations: 1 },
    ]);
  });

  it.each([
    [{}, true],
    [{ profileId: 'p:1' }, true],
    [{ profileId: 'p:2' }, false],
    [{ kinds: new Set(['fallback'] as const) }, true],
    [{ kinds: new Set(['rotated'] as const) }, false],
    [{ since: 11 }, false],
  ])('filter %o -> %s', (f, ok) => {
    expect(matches(ev(1, 10, 'fallback'), f)).toBe(ok);
  });
});
