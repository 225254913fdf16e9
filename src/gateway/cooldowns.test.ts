import { describe, expect, it } from 'vitest';
import { Cooldowns } from './cooldowns.js';

describe('Cooldowns', () => {
  it('rests a (profile, model) until its time, then forgets it', () => {
    let now = 1000;
    const c = new Cooldowns(() => now);
    c.set('p', 'm', 500, 'rate_limited');
    expect(c.get('p', 'm')).toEqual({ until: 1500, reason: 'rate_limited' });
    expect(c.get('p', 'other')).toBeNull();
    now = 1500;
    expect(c.get('p', 'm')).toBeNull();
    expect(c.list()).toEqual([]);
  });

  it('ignores zero-length rests and stays bounded whatever models clients invent', () => {
    let now = 0;
    const c = new Cooldowns(() => now);
    c.set('p', 'm', 0, 'needs_reauth');
    expect(c.get('p', 'm')).toBeNull();
    for (let i = 0; i < 12_000; i++) {
      now = i;
      c.set('p', `model-${i}`, 60_000, 'upstream_5xx');
    }
    expect(c.list().length).toBeLessThanOrEqual(10_000);
    expect(c.get('p', 'model-11999')).not.toBeNull();
  });
});
