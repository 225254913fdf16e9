import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyIdOf, sealedKeyId, TokenCipher } from './token-cipher.js';

describe('TokenCipher', () => {
  const key = randomBytes(32);
  const c = new TokenCipher(key);

  it('round-trips, names its key, and hides the plaintext', () => {
    const sealed = c.seal('clawkeep:openai-codex:a:refresh', 'fake-refresh-123');
    expect(sealed.startsWith(`ck1.${keyIdOf(key)}.`)).toBe(true);
    expect(sealedKeyId(sealed)).toBe(c.keyId);
    expect(sealed).not.toContain('fake-refresh');
    expect(c.open('clawkeep:openai-codex:a:refresh', sealed)).toBe('fake-refresh-123');
  });

  it('is deterministic per (associated data, plaintext), so compare-and-set works on sealed columns', () => {
    const aad = 'clawkeep:p:refresh';
    expect(c.seal(aad, 'x')).toBe(c.seal(aad, 'x'));
    expect(c.seal(aad, 'x')).not.toBe(c.seal(aad, 'y'));
    expect(c.seal(aad, 'x')).not.toBe(c.seal('clawkeep:q:refresh', 'x'));
  });

  it('refuses a value moved to another row or column, tampered with, or sealed by another key', () => {
    const sealed = c.seal('clawkeep:p:access', 'fake-access');
    expect(() => c.open('clawkeep:q:access', sealed)).toThrow();
    expect(() => c.open('clawkeep:p:refresh', sealed)).toThrow();
    const body = sealed.slice(sealed.lastIndexOf('.') + 1);
    const flipped = `${body.slice(0, 20)}${body[20] === 'A' ? 'B' : 'A'}${body.slice(21)}`;
    expect(() => c.open('clawkeep:p:access', sealed.replace(body, flipped))).toThrow();
    expect(() => new TokenCipher(randomBytes(32)).open('clawkeep:p:access', sealed)).toThrow();
  });

  it('plaintext has no key id; a key must be 32 bytes', () => {
    expect(sealedKeyId('fake-refresh')).toBeNull();
    expect(() => new TokenCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});
