import { createHash, randomBytes } from 'node:crypto';
import type { ClientRecord, Store } from '../store/types.js';

const KEY_PREFIX = 'ck_';

export function hashClientKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Creates a client and returns its key; the key is shown once and only its hash is stored. */
export async function createClient(
  store: Store,
  name: string,
  chain: string | null,
  now = Date.now(),
): Promise<{ client: ClientRecord; key: string }> {
  const key = `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
  const client = await store.insertClient({
    name,
    keyHash: hashClientKey(key),
    keyPrefix: key.slice(0, 8),
    chain,
    createdAt: now,
  });
  return { client, key };
}

/** Reads the client key from `Authorization: Bearer` or `x-api-key`. */
export function readClientKey(headers: {
  authorization?: string | undefined;
  'x-api-key'?: string | string[] | undefined;
}) {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const x = headers['x-api-key'];
  return typeof x === 'string' ? x.trim() : null;
}

/**
 * Resolves client keys to clients. Known hashes are cached; unknown ones are looked up in the store
 * (so `clawkeep clients add` works while the gateway runs) at most once per second each.
 */
export class ClientAuth {
  #store: Store;
  #known = new Map<string, ClientRecord>();
  #misses = new Map<string, number>();

  constructor(store: Store) {
    this.#store = store;
  }

  async authenticate(key: string | null): Promise<ClientRecord | null> {
    if (!key) return null;
    const hash = hashClientKey(key);
    const hit = this.#known.get(hash);
    if (hit) return hit;
    const now = Date.now();
    if ((this.#misses.get(hash) ?? 0) > now) return null;
    const found = await this.#store.findClientByHash(hash);
    if (found) {
      this.#known.set(hash, found);
      return found;
    }
    if (this.#misses.size > 10_000) this.#misses.clear();
    this.#misses.set(hash, now + 1000);
    return null;
  }

  /** Forget cached clients, e.g. after `clients rm`. */
  reset(): void {
    this.#known.clear();
    this.#misses.clear();
  }
}
