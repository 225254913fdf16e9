import { describe, expect, it } from 'vitest';
import { csrfMatches, readCookie, Sessions, sessionCookie } from './sessions.js';

describe('dashboard sessions', () => {
  it('open, look up by cookie value, expire after 12 h, close', () => {
    const s = new Sessions();
    const { id, session } = s.open(0);
    expect(s.get(id, 1000)).toBe(session);
    expect(s.get('forged', 1000)).toBeNull();
    expect(s.get(null, 1000)).toBeNull();
    expect(s.get(id, 12 * 3_600_000)).toBeNull();
    const other = s.open(0);
    s.close(other.id);
    expect(s.get(other.id, 1)).toBeNull();
  });

  it.each([
    [undefined, false],
    ['', false],
    [['a', 'b'], false],
    ['wrong', false],
  ] as const)('CSRF %j -> %s', (presented, ok) => {
    const { session } = new Sessions().open();
    expect(csrfMatches(session, presented as string | undefined)).toBe(ok);
    expect(csrfMatches(session, session.csrf)).toBe(true);
  });

  it('reads the session cookie among others and writes a strict one', () => {
    expect(readCookie('a=1; clawkeep_ui=abc; b=2', 'clawkeep_ui')).toBe('abc');
    expect(readCookie('xclawkeep_ui=abc', 'clawkeep_ui')).toBeNull();
    expect(readCookie(undefined, 'clawkeep_ui')).toBeNull();
    expect(sessionCookie('v', false)).toBe(
      'clawkeep_ui=v; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=43200',
    );
    expect(sessionCookie('v', true)).toMatch(/; Secure$/);
  });
});
