import type { GatewayConfig } from '../config/schema.js';
import { ClawkeepError } from '../errors.js';
import { createClient } from '../gateway/clients.js';
import { chainsOf } from '../gateway/routing.js';
import { mayServe, subscriptionRule } from '../providers/serving-policy.js';
import type { ClientPolicyPatch, ClientRecord, Profile, Store } from '../store/types.js';
import { invokedAs } from '../util/invoked-as.js';
import { CONNECT_CLIENT_IDS } from './types.js';

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
  policy: ClientPolicyPatch = {},
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
  if (policy.kind) checkKind(policy.kind, '--kind');
  const { client, key } = await createClient(store, name, chain, Date.now(), policy);
  return { client: viewClient(client), key };
}

/** A client kind is one of the agents `connect` knows; anything else is a usage error naming them. */
export function checkKind(kind: string, flag: string): void {
  if (!(CONNECT_CLIENT_IDS as readonly string[]).includes(kind)) {
    throw new ClawkeepError(
      'usage',
      `${flag} ${kind}: not a client kind; use one of ${CONNECT_CLIENT_IDS.join(', ')}`,
      {
        details: { kind },
      },
    );
  }
}

/** Changes a client's kind or subscription opt-in (`clients set`); throws when there is no such client. */
export async function setClientPolicy(
  store: Store,
  name: string,
  patch: ClientPolicyPatch,
): Promise<ClientView> {
  if (patch.kind) checkKind(patch.kind, '--kind');
  const changed = await store.updateClient(name, patch, Date.now());
  if (!changed) throw new ClawkeepError('usage', `no client ${name}; see: ${invokedAs()} clients list`);
  return viewClient(changed);
}

/** The subscription logins (serving policy) a client may use, by id; API-key logins serve everyone. */
export function subscriptionLoginsFor(
  client: Pick<ClientRecord, 'name' | 'kind' | 'subscriptionOptIn'>,
  profiles: readonly Profile[],
): string[] {
  return profiles.filter((p) => subscriptionRule(p) !== null && mayServe(p, client)).map((p) => p.id);
}

/** Revokes a client key; throws when there is no such client. */
export async function revokeClient(store: Store, name: string): Promise<ClientView> {
  const removed = await store.removeClient(name, Date.now());
  if (!removed) throw new ClawkeepError('usage', `no client ${name}; see: ${invokedAs()} clients list`);
  return viewClient(removed);
}
