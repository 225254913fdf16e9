import type { GatewayConfig } from '../config/schema.js';
import { listProviders } from '../providers/registry.js';
import { chainsOf } from './routing.js';

export interface ConfigIssue {
  /** Where: a config key path (`chains.main[1].profile`) or a store record (`client agent`). */
  path: string;
  message: string;
}

/** What the store holds that the config may name; null when there is no store to compare with. */
export interface StoreFacts {
  profiles: string[];
  clients: Array<{ name: string; chain: string | null }>;
}

/**
 * Every reference in a schema-valid config that points nowhere: unknown providers, profiles that do
 * not exist (or belong to another provider), a model alias, `defaultChain` or client chain naming a
 * chain that is not defined.
 * All of them, in one pass.
 */
export function checkConfigReferences(config: GatewayConfig, store: StoreFacts | null): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const known = listProviders().map((p) => p.id);
  const knownText = `known providers: ${known.join(', ')}`;
  for (const id of Object.keys(config.providers)) {
    if (!known.includes(id))
      issues.push({ path: `providers.${id}`, message: `unknown provider; ${knownText}` });
  }
  const chains = chainsOf(config);
  const chainNames = Object.keys(chains);
  for (const [name, targets] of Object.entries(config.chains)) {
    targets.forEach((spec, i) => {
      const s = typeof spec === 'string' ? { target: spec } : spec;
      const at = `chains.${name}[${i}]`;
      const provider = s.target.slice(0, s.target.indexOf('/'));
      if (!known.includes(provider)) {
        issues.push({ path: at, message: `"${s.target}": unknown provider "${provider}"; ${knownText}` });
      }
      const pinned = [
        ...('profile' in s && s.profile ? [['profile', s.profile] as const] : []),
        ...('profiles' in s && s.profiles ? s.profiles.map((p, j) => [`profiles[${j}]`, p] as const) : []),
      ];
      for (const [key, id] of pinned) {
        const owner = id.slice(0, id.indexOf(':'));
        if (owner !== provider) {
          issues.push({
            path: `${at}.${key}`,
            message: `profile ${id} belongs to ${owner}, but this target calls ${provider}`,
          });
        } else if (store && !store.profiles.includes(id)) {
          issues.push({
            path: `${at}.${key}`,
            message: `no profile ${id} in the store (profiles: ${store.profiles.join(', ') || 'none'})`,
          });
        }
      }
    });
  }
  for (const [alias, to] of Object.entries(config.models)) {
    const at = `models.${alias}`;
    if (to.startsWith('chain:') && !chains[to.slice(6)]) {
      issues.push({
        path: at,
        message: `"${to}": no chain named "${to.slice(6)}" (chains: ${chainNames.join(', ')})`,
      });
    } else if (
      !to.startsWith('chain:') &&
      to.includes('/') &&
      !known.includes(to.slice(0, to.indexOf('/')))
    ) {
      issues.push({
        path: at,
        message: `"${to}": unknown provider "${to.slice(0, to.indexOf('/'))}"; ${knownText}`,
      });
    }
  }
  if (config.defaultChain !== undefined && !chains[config.defaultChain]) {
    issues.push({
      path: 'defaultChain',
      message: `no chain named "${config.defaultChain}" (chains: ${chainNames.join(', ')})`,
    });
  }
  for (const c of store?.clients ?? []) {
    if (c.chain !== null && !chains[c.chain]) {
      issues.push({
        path: `client ${c.name}`,
        message: `its default chain "${c.chain}" is not defined (chains: ${chainNames.join(', ')})`,
      });
    }
  }
  return issues;
}
