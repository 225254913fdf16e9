import type { GatewayConfig } from '../config/schema.js';
import type { Cooldowns } from '../gateway/cooldowns.js';
import { chainsOf, resolveRoute, strategyOf } from '../gateway/routing.js';
import type { Profile } from '../store/types.js';

export interface TargetView {
  target: string;
  pinned: string[] | null;
  strategy: string;
  /** Each candidate profile in trying order, and why it would be skipped now. */
  candidates: Array<{ profileId: string; usable: boolean; why: string | null }>;
}

export interface ChainView {
  name: string;
  isDefault: boolean;
  targets: TargetView[];
  /** The `target@profile` a request would go to first right now, or null when nothing is usable. */
  now: string | null;
}

/**
 * The configured chains and what each would use now: the first candidate whose profile is ok and
 * not cooling down (round-robin targets start anywhere, so this is the first usable, not a promise).
 */
export function describeRouting(
  config: GatewayConfig,
  profiles: Profile[],
  cooldowns: Cooldowns,
  now = Date.now(),
): { chains: ChainView[]; cooldowns: ReturnType<Cooldowns['list']> } {
  const byId = new Map(profiles.map((p) => [p.id, p]));
  const defaultChain = resolveRoute('', null, config).chain;
  const chains = Object.keys(chainsOf(config)).map((name): ChainView => {
    const route = resolveRoute(`chain:${name}`, null, config);
    let first: string | null = null;
    const targets = route.targets.map((t): TargetView => {
      const ids =
        t.profiles ??
        profiles.filter((p) => p.provider === t.provider && p.status !== 'disabled').map((p) => p.id);
      const candidates = ids.map((profileId) => {
        const why = skipReason(byId.get(profileId), cooldowns.get(profileId, t.model), now);
        if (!why && !first) first = `${t.provider}/${t.model}@${profileId}`;
        return { profileId, usable: !why, why };
      });
      return {
        target: `${t.provider}/${t.model}`,
        pinned: t.profiles,
        strategy: strategyOf(t, ids),
        candidates,
      };
    });
    return { name, isDefault: name === defaultChain, targets, now: first };
  });
  return { chains, cooldowns: cooldowns.list() };
}

function skipReason(p: Profile | undefined, cooling: { until: number; reason: string } | null, now: number) {
  if (!p) return 'no such profile';
  if (p.status !== 'ok')
    return p.status === 'needs_reauth' ? `needs re-auth (${p.statusReason ?? '-'})` : 'disabled';
  if (cooling) return `cooling down after ${cooling.reason} for ${Math.ceil((cooling.until - now) / 1000)} s`;
  return null;
}
