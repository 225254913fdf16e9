import { describe, expect, it } from 'vitest';
import { BROKER_ERROR_RULES, cooldownFor, DEFAULT_COOLDOWN_MS, reasonForStatus } from './fallback-rules.js';

describe('fallback rules', () => {
  it.each<[number, string | null]>([
    [200, null],
    [400, null],
    [401, 'auth'],
    [403, 'auth'],
    [404, null],
    [408, 'timeout'],
    [413, null],
    [429, 'rate_limited'],
    [500, 'upstream_5xx'],
    [503, 'upstream_5xx'],
    [529, 'upstream_5xx'],
  ])('upstream %i → %s', (status, reason) => {
    expect(reasonForStatus(status)).toBe(reason);
  });

  it.each([
    ['reauth_required', 'needs_reauth'],
    ['refresh_transient', 'refresh_failed'],
    ['lease_timeout', 'refresh_failed'],
    ['profile_disabled', 'profile_unavailable'],
  ])('broker error %s → %s', (code, reason) => {
    expect(BROKER_ERROR_RULES[code]).toBe(reason);
  });

  it('takes Retry-After first, then config, then the table', () => {
    expect(cooldownFor('rate_limited', 5000)).toBe(5000);
    expect(cooldownFor('rate_limited', null, { rate_limited: 1234 })).toBe(1234);
    expect(cooldownFor('rate_limited', null)).toBe(DEFAULT_COOLDOWN_MS.rate_limited);
    expect(cooldownFor('needs_reauth', null)).toBe(0);
    // Running out of file descriptors here is not the upstream being down: no rest for the target.
    expect(cooldownFor('local_error', null)).toBe(0);
    expect(cooldownFor('upstream_5xx', 0)).toBe(DEFAULT_COOLDOWN_MS.upstream_5xx);
  });
});
