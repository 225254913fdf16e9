import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';

/** Every sealed token starts with this: `ck1.<keyId>.<base64url(iv ‖ ciphertext ‖ tag)>`. */
export const SEALED_PREFIX = 'ck1.';
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The id a key is known by (in sealed values, key files, the keyring): not secret, not the key. */
export function keyIdOf(key: Buffer): string {
  return createHmac('sha256', key).update('clawkeep store key id').digest('hex').slice(0, 16);
}

/** The key id a sealed value names, or null when the value is plaintext. */
export function sealedKeyId(value: string): string | null {
  if (!value.startsWith(SEALED_PREFIX)) return null;
  const end = value.indexOf('.', SEALED_PREFIX.length);
  return end < 0 ? null : value.slice(SEALED_PREFIX.length, end);
}

/**
 * AES-256-GCM with a synthetic IV (an HMAC of the associated data and the plaintext), so the same
 * token in the same column of the same profile always seals to the same text. That keeps the stores'
 * compare-and-set (`WHERE refresh = ?`) working on sealed columns; it reveals only that a value
 * equals itself, and the associated data binds each value to its profile and column.
 */
export class TokenCipher {
  readonly keyId: string;
  readonly #enc: Buffer;
  readonly #siv: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES)
      throw new RangeError(`a store key has ${KEY_BYTES} bytes, not ${key.length}`);
    this.keyId = keyIdOf(key);
    this.#enc = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'clawkeep token encryption', KEY_BYTES));
    this.#siv = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'clawkeep token iv', KEY_BYTES));
  }

  seal(aad: string, plain: string): string {
    const iv = createHmac('sha256', this.#siv)
      .update(aad)
      .update('\0')
      .update(plain)
      .digest()
      .subarray(0, IV_BYTES);
    const c = createCipheriv('aes-256-gcm', this.#enc, iv);
    c.setAAD(Buffer.from(aad));
    const body = Buffer.concat([iv, c.update(plain, 'utf8'), c.final(), c.getAuthTag()]);
    return `${SEALED_PREFIX}${this.keyId}.${body.toString('base64url')}`;
  }

  /** Throws when the value was not sealed by this key for this `aad` (tampered, swapped or truncated). */
  open(aad: string, sealed: string): string {
    const body = Buffer.from(sealed.slice(SEALED_PREFIX.length + this.keyId.length + 1), 'base64url');
    if (sealedKeyId(sealed) !== this.keyId || body.length < IV_BYTES + TAG_BYTES) {
      throw new Error('not sealed by this key');
    }
    const d = createDecipheriv('aes-256-gcm', this.#enc, body.subarray(0, IV_BYTES));
    d.setAAD(Buffer.from(aad));
    d.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([d.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), d.final()]).toString(
      'utf8',
    );
  }
}
