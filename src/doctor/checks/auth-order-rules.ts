import { isLegacyProfileId, LEGACY_PROVIDER } from './provider-rename-rules.js';

type Doc = Record<string, unknown>;

const isRecord = (v: unknown): v is Doc => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/**
 * What one agent's runtime can resolve: OpenClaw merges the main agent's store under a non-main agent's
 * own (its `inheritedAuthDir`), and the main agent reads only its own (measured on 2026.6.9 and 2026.9.6).
 */
export interface AgentAuth {
  agentId: string;
  /** provider → ids this agent's runtime loads (its store, and main's when it is not main). */
  held: Map<string, string[]>;
  /** Every id accounted for there: held, moved into clawkeep by `import openclaw --move`, or in a leftover file. */
  known: Set<string>;
}

export interface DeadOrder {
  provider: string;
  /** The ids `auth.order.<provider>` names, none of which these agents' runtimes can load. */
  named: string[];
  /** The agents whose every call of that provider fails (sorted). */
  agents: string[];
  /** The ids those agents do hold for that provider, which OpenClaw then never tries (sorted). */
  held: string[];
}

/**
 * `auth.order` lists in `openclaw.json` (one for every agent) that name, for some agent, only profiles
 * its runtime cannot load while it holds profiles of that provider. OpenClaw then resolves no profile at
 * all for the provider in that agent (measured on 2026.9.6: `resolveAuthProfileOrder` returns nothing),
 * so every model call of it fails with 401 although a working login sits in its store (the shape of
 * openclaw#152968). An id another agent's own store holds does not count: that agent's calls work, this
 * one's fail. Ids and providers that OpenClaw's rename retired are provider-rename's business.
 */
export function deadOrders(config: Doc, agents: readonly AgentAuth[]): DeadOrder[] {
  const auth = isRecord(config.auth) ? config.auth : null;
  const order = auth && isRecord(auth.order) ? auth.order : null;
  if (!order) return [];
  const out: DeadOrder[] = [];
  for (const [provider, list] of Object.entries(order)) {
    const key = provider.trim().toLowerCase();
    if (key === LEGACY_PROVIDER || !Array.isArray(list) || list.length === 0) continue;
    const named = list.filter((x): x is string => typeof x === 'string');
    if (named.length !== list.length || named.some(isLegacyProfileId)) continue;
    const dead = new Set<string>();
    const held = new Set<string>();
    for (const a of agents) {
      if (named.some((id) => a.known.has(id))) continue;
      const ids = a.held.get(key) ?? [];
      if (ids.length === 0) continue;
      dead.add(a.agentId);
      for (const id of ids) held.add(id);
    }
    if (dead.size > 0) out.push({ provider, named, agents: [...dead].sort(), held: [...held].sort() });
  }
  return out;
}

/**
 * The config with each dead order list kept as it is and the ids those agents hold appended (additive:
 * an id the user named stays first, so every agent that loads it still uses it, and a login that comes
 * back later is tried first again). Null when nothing is dead.
 */
export function reviveOrders(
  config: Doc,
  agents: readonly AgentAuth[],
): { config: Doc; changes: string[] } | null {
  const dead = deadOrders(config, agents);
  if (dead.length === 0) return null;
  const next = structuredClone(config);
  const order = (next.auth as Doc).order as Doc;
  const changes: string[] = [];
  for (const d of dead) {
    const added = d.held.filter((id) => !d.named.includes(id));
    order[d.provider] = [...d.named, ...added];
    changes.push(`auth.order.${d.provider} += ${added.join(', ')}`);
  }
  return { config: next, changes };
}
