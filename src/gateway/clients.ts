import { createHash, randomBytes } from 'node:crypto';
import type { ClientPolicyPatch, ClientRecord, Store } from '../store/types.js';

const KEY_PREFIX = 'ck_';

export function hashClientKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Creates a client and returns its key; the key is shown once and only its hash is stored. `policy`
 * says which agent holds it and whether it opted in to subscription logins (none by default).
 */
export async function createClient(
  store: Store,
  name: string,
  chain: string | null,
  now = Date.now(),
  policy: ClientPolicyPatch = {},
): Promise<{ client: ClientRecord; key: string }> {
  const key = `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
  const client = await store.insertClient({
    name,
    keyHash: hashClientKey(key),
    keyPrefix: key.slice(0, 8),
    chain,
    kind: policy.kind ?? null,
    subscriptionOptIn: policy.subscriptionOptIn ?? false,
    createdAt: now,
  });
  return { client, key };
}

/**
 * Resolves client keys to clients. A known key is re-checked against the store at most once per
 * `recheckMs`, so `clawkeep clients rm` takes effect on a running gateway within that time; an
 * unknown key is looked up at most once per second (so `clients add` works while the gateway runs).
 */
export class ClientAuth {
  #store: Store;
  #recheckMs: number;
  #known = new Map<string, { client: ClientRecord; checkedAt: number }>();
  #misses = new Map<string, number>();

  constructor(store: Store, recheckMs = 5000) {
    this.#store = store;
    this.#recheckMs = recheckMs;
  }

  async authenticate(key: string | null): Promise<ClientRecord | null> {
    if (!key) return null;
    const hash = hashClientKey(key);
    const now = Date.now();
    const hit = this.#known.get(hash);
    if (hit && now - hit.checkedAt < this.#recheckMs) return hit.client;
    if (!hit && (this.#misses.get(hash) ?? 0) > now) return null;
    const found = await this.#store.findClientByHash(hash);
    if (found) {
      this.#known.set(hash, { client: found, checkedAt: now });
      return found;
    }
    this.#known.delete(hash);
    if (this.#misses.size > 10_000) this.#misses.clear();
    this.#misses.set(hash, now + 1000);
    return null;
  }
}
