import { isLegacyProfileId, LEGACY_PROVIDER } from './provider-rename-rules.js';

type Doc = Record<string, unknown>;

const isRecord = (v: unknown): v is Doc => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

export interface DeadOrder {
  provider: string;
  /** The ids `auth.order.<provider>` names, none of which any store of the state dir holds. */
  named: string[];
  /** The ids the stores do hold for that provider, which OpenClaw then never tries. */
  held: string[];
}

/**
 * `auth.order` lists in `openclaw.json` that name only profiles no store holds, while the stores hold
 * profiles of that provider. OpenClaw's runtime then resolves no profile at all for the provider
 * (measured on 2026.9.6: `resolveAuthProfileOrder` returns nothing), so every model call of it fails
 * with 401 although a working login sits in the store (the shape of openclaw#152968). Ids and
 * providers that OpenClaw's rename retired are provider-rename's business and are not judged here.
 *
 * `held`: provider → ids the state dir's stores hold; `known`: every id that is accounted for
 * (held, or moved into clawkeep by `import openclaw --move`).
 */
export function deadOrders(config: Doc, held: Map<string, string[]>, known: Set<string>): DeadOrder[] {
  const auth = isRecord(config.auth) ? config.auth : null;
  const order = auth && isRecord(auth.order) ? auth.order : null;
  if (!order) return [];
  const out: DeadOrder[] = [];
  for (const [provider, list] of Object.entries(order)) {
    if (provider.trim().toLowerCase() === LEGACY_PROVIDER || !Array.isArray(list) || list.length === 0)
      continue;
    const named = list.filter((x): x is string => typeof x === 'string');
    if (named.length !== list.length || named.some(isLegacyProfileId)) continue;
    if (named.some((id) => known.has(id))) continue;
    const ids = held.get(provider.trim().toLowerCase()) ?? [];
    if (ids.length > 0) out.push({ provider, named, held: [...ids].sort() });
  }
  return out;
}

/**
 * The config with each dead order list kept as it is and the held ids appended (additive: an id the
 * user named stays, so a login that comes back later is still tried first). Null when nothing is dead.
 */
export function reviveOrders(
  config: Doc,
  held: Map<string, string[]>,
  known: Set<string>,
): { config: Doc; changes: string[] } | null {
  const dead = deadOrders(config, held, known);
  if (dead.length === 0) return null;
  const next = structuredClone(config);
  const order = (next.auth as Doc).order as Doc;
  const changes: string[] = [];
  for (const d of dead) {
    order[d.provider] = [...d.named, ...d.held];
    changes.push(`auth.order.${d.provider} += ${d.held.join(', ')}`);
  }
  return { config: next, changes };
}
