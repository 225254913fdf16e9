import type { ClientRecord, Profile } from '../store/types.js';
import { invokedAs } from '../util/invoked-as.js';
import { findProvider } from './registry.js';
import type { SubscriptionRule } from './types.js';

/**
 * The serving policy: which client keys a login may serve. A subscription login (a provider with a
 * `subscription` rule, any credential but an API key) serves only the client kinds its rule names,
 * and clients explicitly opted in (`clients set NAME --subscription`). Everything else serves every
 * client. The gateway applies it before a pool plans; `models status`, `clients list` and the
 * dashboard show it.
 */
export type PolicyProfile = Pick<Profile, 'id' | 'provider' | 'type'>;
export type PolicyClient = Pick<ClientRecord, 'name' | 'kind' | 'subscriptionOptIn'>;

/** The subscription rule a login falls under, or null when it serves every client. */
export function subscriptionRule(profile: PolicyProfile): SubscriptionRule | null {
  if (profile.type === 'api_key') return null;
  return findProvider(profile.provider)?.subscription ?? null;
}

export function mayServe(profile: PolicyProfile, client: PolicyClient): boolean {
  const rule = subscriptionRule(profile);
  if (!rule || client.subscriptionOptIn) return true;
  return client.kind !== null && rule.clientKinds.includes(client.kind);
}

/** Whom a login serves, for listings: "every client" or "claude-code clients and opted-in clients". */
export function servesWhom(profile: PolicyProfile): string {
  const rule = subscriptionRule(profile);
  return rule ? `${rule.clientKinds.join(', ')} clients and opted-in clients` : 'every client';
}

/** Why `client` may not use `profile`, for the skip list (the refusal's message adds the fix). */
export function refusalDetail(profile: PolicyProfile, client: PolicyClient): string {
  const rule = subscriptionRule(profile);
  const kinds = rule?.clientKinds.join(', ') ?? '';
  return `a ${rule?.title ?? 'subscription'} login serves ${kinds} clients only, and client ${client.name} is ${client.kind ? `of kind ${client.kind}` : 'of no kind'}`;
}

/** The refusal's whole message: the rule, its reason, and each way out. */
export function refusalMessage(profiles: readonly PolicyProfile[], client: PolicyClient): string {
  const rule = profiles.map(subscriptionRule).find((r) => r !== null);
  const ids = profiles.map((p) => p.id).join(', ');
  const cli = invokedAs();
  const provider = profiles[0]?.provider ?? 'anthropic';
  const kinds = rule?.clientKinds ?? [];
  return [
    `client ${client.name} may not use ${ids}: a ${rule?.title ?? 'subscription'} login serves ${kinds.join(', ')} clients only (${rule?.terms ?? 'its terms'}).`,
    `Add an API key for other agents (${cli} profiles add-key --provider ${provider} --name NAME)`,
    kinds.length > 0 ? `, give ${kinds.join(' or ')} its own key (${cli} connect ${kinds[0]})` : '',
    `, or opt this client in knowingly (${cli} clients set ${client.name} --subscription).`,
  ].join('');
}
