import { ClawkeepError } from '../../errors.js';
import { invokedAs } from '../../util/invoked-as.js';
import { findKey, type KeyLookup } from './key-store.js';
import { sealedKeyId, TokenCipher } from './token-cipher.js';

/** The token columns that are sealed when encryption is on. */
export type TokenColumn = 'access' | 'refresh';

const MAX_CACHED = 4096;

/**
 * Seals and opens token columns for a store. The key a store uses is named in the store itself (its
 * `token_key` setting); keys are found by id (environment, key file, keyring) and kept in memory.
 * Opened values are cached, so the hot path decrypts each token once.
 */
export class TokenCodec {
  readonly #lookup: KeyLookup;
  readonly #ciphers = new Map<string, TokenCipher>();
  readonly #opened = new Map<string, string>();

  constructor(lookup: KeyLookup) {
    this.#lookup = lookup;
  }

  /** Makes a key known without looking it up (a new key before it is saved anywhere else). */
  addKey(key: Buffer): string {
    const c = new TokenCipher(key);
    this.#ciphers.set(c.keyId, c);
    return c.keyId;
  }

  /** Throws `store_key_missing` when no key source holds `keyId`. */
  cipher(keyId: string): TokenCipher {
    const known = this.#ciphers.get(keyId);
    if (known) return known;
    const key = findKey(this.#lookup, keyId);
    if (!key) {
      throw new ClawkeepError(
        'store_key_missing',
        `the store's tokens are encrypted with key ${keyId}, and no key source here holds it`,
        {
          details: { keyId },
          hint: `set CLAWKEEP_STORE_KEY to that key, or restore ${this.#lookup.home}/keys/${keyId}.key (0600) from the host or backup that has it`,
        },
      );
    }
    const c = new TokenCipher(key);
    this.#ciphers.set(keyId, c);
    return c;
  }

  /** `value` sealed with `keyId`; plaintext when `keyId` is null (encryption off). */
  seal(keyId: string | null, profileId: string, column: TokenColumn, value: string | null): string | null {
    if (value === null || keyId === null) return value;
    return this.cipher(keyId).seal(aadOf(profileId, column), value);
  }

  /** The plaintext of a stored value; plaintext passes through. Throws `store_undecryptable` on a bad seal. */
  open(profileId: string, column: TokenColumn, stored: string | null): string | null {
    if (stored === null) return null;
    const keyId = sealedKeyId(stored);
    if (keyId === null) return stored;
    const cacheKey = `${profileId}\0${column}\0${stored}`;
    const hit = this.#opened.get(cacheKey);
    if (hit !== undefined) return hit;
    let plain: string;
    try {
      plain = this.cipher(keyId).open(aadOf(profileId, column), stored);
    } catch (err) {
      if (err instanceof ClawkeepError) throw err;
      const [provider, name] = profileId.split(':', 2);
      throw new ClawkeepError(
        'store_undecryptable',
        `the ${column} token of profile ${profileId} does not decrypt with key ${keyId} (altered, or moved from another row)`,
        {
          details: { profileId, column, keyId },
          hint: `log in again: ${invokedAs()} models auth login --provider ${provider} --name ${name}`,
        },
      );
    }
    if (this.#opened.size >= MAX_CACHED) this.#opened.clear();
    this.#opened.set(cacheKey, plain);
    return plain;
  }
}

function aadOf(profileId: string, column: TokenColumn): string {
  return `clawkeep:${profileId}:${column}`;
}
