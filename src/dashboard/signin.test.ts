import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consumeSignInToken, mintSignInToken, SIGNIN_TTL_MS } from './signin.js';

describe('sign-in tokens', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'clawkeep-signin-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('work once, store only a hash, and expire', () => {
    const now = 1_000_000;
    const token = mintSignInToken(home, now);
    expect(readdirSync(join(home, 'dashboard-signin')).join()).not.toContain(token);
    expect(consumeSignInToken(home, token, now + 1000)).toBe(true);
    expect(consumeSignInToken(home, token, now + 1000)).toBe(false);
    const late = mintSignInToken(home, now);
    expect(consumeSignInToken(home, late, now + SIGNIN_TTL_MS)).toBe(false);
    expect(readdirSync(join(home, 'dashboard-signin'))).toEqual([]);
  });

  it.each(['', 'short', '../../etc/passwd-aaaaaaaaaaaaaaaa', 'x'.repeat(200)])('refuses %j', (bad) => {
    mintSignInToken(home);
    expect(consumeSignInToken(home, bad)).toBe(false);
  });

  it('sweeps expired tokens when a new one is minted', () => {
    mintSignInToken(home, 0);
    mintSignInToken(home, SIGNIN_TTL_MS + 1);
    expect(readdirSync(join(home, 'dashboard-signin'))).toHaveLength(1);
  });
});
