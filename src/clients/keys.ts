import type { GatewayConfig } from '../config/schema.js';
import { ClawkeepError } from '../errors.js';
import { createClient } from '../gateway/clients.js';
import { chainsOf } from '../gateway/routing.js';
import type { ClientRecord, Store } from '../store/types.js';
import { invokedAs } from '../util/invoked-as.js';

/** A client as listings show it: never the key, never its hash. */
export type ClientView = Omit<ClientRecord, 'keyHash'>;

export function viewClient({ keyHash: _h, ...rest }: ClientRecord): ClientView {
  return rest;
}

/**
 * Creates a gateway client after checking its name and default chain; the key is returned once and
 * only its hash is stored. Shared by `clawkeep clients add` and the dashboard.
 */
export async function addClient(
  store: Store,
  config: GatewayConfig,
  name: string,
  chain: string | null,
): Promise<{ client: ClientView; key: string }> {
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new ClawkeepError('usage', `client name "${name}": use letters, digits, . _ -`);
  if (chain) {
    const chains = chainsOf(config);
    if (!chains[chain]) {
      throw new ClawkeepError(
        'usage',
        `--chain ${chain}: no such chain (chains: ${Object.keys(chains).join(', ')})`,
      );
    }
  }
  const { client, key } = await createClient(store, name, chain);
  return { client: viewClient(client), key };
}

/** Revokes a client key; throws when there is no such client. */
export async function revokeClient(store: Store, name: string): Promise<ClientView> {
  const removed = await store.removeClient(name, Date.now());
  if (!removed) throw new ClawkeepError('usage', `no client ${name}; see: ${invokedAs()} clients list`);
  return viewClient(removed);
}
