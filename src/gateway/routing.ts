import type { GatewayConfig, TargetSpecInput } from '../config/schema.js';
import { ClawkeepError } from '../errors.js';
import { providersForModel } from '../providers/registry.js';
import { type PoolPlan, QuotaAwarePool, type QuotaSource } from './pool.js';

/** One step of a chain: a provider/model and the profiles allowed to serve it. */
export interface Target {
  provider: string;
  model: string;
  /** Pinned profiles; null means every profile of the provider. */
  profiles: string[] | null;
  /** Null when neither the target nor its provider names one: a pool is then quota-aware, one login ordered. */
  strategy: Strategy | null;
}

/**
 * How a target orders its logins: `ordered`/`fill-first` as listed (the first until it fails),
 * `round-robin` rotating, `quota-aware` by headroom with conversations kept on their login.
 */
export type Strategy = 'ordered' | 'fill-first' | 'round-robin' | 'quota-aware';

export interface Route {
  chain: string | null;
  targets: Target[];
}

/** Used when the config names no chains: the two subscription logins, Codex first. */
export const EMBEDDED_CHAINS: Readonly<Record<string, string[]>> = {
  default: ['openai-codex/gpt-5', 'anthropic/claude-sonnet-4-5'],
};

export function chainsOf(config: GatewayConfig): Record<string, TargetSpecInput[]> {
  return Object.keys(config.chains).length > 0 ? config.chains : EMBEDDED_CHAINS;
}

/**
 * Resolves a request's `model`: `chain:NAME`, a chain's name, `provider/model`, or
 * empty/`default` for the client's (else the config's) default chain.
 */
export function resolveRoute(model: string, clientChain: string | null, config: GatewayConfig): Route {
  // The config does not change while the gateway runs: resolve each (model, client chain) once.
  let memo = routeMemo.get(config);
  if (!memo) {
    memo = new Map();
    routeMemo.set(config, memo);
  }
  const key = `${clientChain ?? ''}\n${model}`;
  let route = memo.get(key);
  if (!route) {
    route = computeRoute(model, clientChain, config);
    if (memo.size < 1000) memo.set(key, route);
  }
  return route;
}

const routeMemo = new WeakMap<GatewayConfig, Map<string, Route>>();

function computeRoute(model: string, clientChain: string | null, config: GatewayConfig): Route {
  const alias = config.models[model];
  if (alias !== undefined && alias !== model) return computeRoute(alias, clientChain, config);
  const chains = chainsOf(config);
  const named = model.startsWith('chain:') ? model.slice(6) : model && model !== 'default' ? model : null;
  if (named !== null && chains[named])
    return { chain: named, targets: chains[named].map((t) => toTarget(t, config)) };
  if (named !== null && model.startsWith('chain:')) throw unknownModel(model, chains);
  if (named !== null && model.includes('/')) return { chain: null, targets: [toTarget(model, config)] };
  const fallbackName =
    clientChain ?? config.defaultChain ?? (chains.default ? 'default' : Object.keys(chains)[0]);
  const fallback = fallbackName ? chains[fallbackName] : undefined;
  if (named !== null) {
    // A bare model id goes to the providers that serve it, then the client's chain as fallback.
    const providers = providersForModel(named);
    if (providers.length === 0) throw unknownModel(model, chains);
    const own = providers.map((p) => toTarget(`${p}/${named}`, config));
    const rest = (fallback ?? [])
      .map((t) => toTarget(t, config))
      .filter((t) => !own.some((o) => o.provider === t.provider && o.model === t.model));
    return { chain: fallback ? (fallbackName ?? null) : null, targets: [...own, ...rest] };
  }
  if (!fallbackName || !fallback) throw unknownModel(model || '(none)', chains);
  return { chain: fallbackName, targets: fallback.map((t) => toTarget(t, config)) };
}

function toTarget(spec: TargetSpecInput, config: GatewayConfig): Target {
  const s = typeof spec === 'string' ? { target: spec } : spec;
  const slash = s.target.indexOf('/');
  const provider = s.target.slice(0, slash);
  const pinned =
    'profile' in s && s.profile ? [s.profile] : 'profiles' in s && s.profiles ? s.profiles : null;
  const strategy = ('strategy' in s && s.strategy) || config.providers[provider]?.strategy || null;
  return { provider, model: s.target.slice(slash + 1), profiles: pinned, strategy };
}

function unknownModel(model: string, chains: Record<string, unknown>): ClawkeepError {
  return new ClawkeepError(
    'model_not_found',
    `unknown model "${model}": use a model id (gpt-…, claude-…), "chain:NAME" (chains: ${Object.keys(chains).join(', ') || 'none'}), "provider/model", or alias it under models: in the config`,
    { details: { model } },
  );
}

const NO_QUOTAS: QuotaSource = { headroom: () => 1, exhaustedUntil: () => null, resetsAt: () => null };

/**
 * Orders a target's candidate profiles; round-robin rotates the start on every call; quota-aware
 * asks the pool (headroom, conversation homes, exhausted logins left out).
 */
export class ProfilePicker {
  #counters = new Map<string, number>();
  #pool: QuotaAwarePool;

  constructor(quotas: QuotaSource = NO_QUOTAS) {
    this.#pool = new QuotaAwarePool(quotas);
  }

  /** The logins to try for `target`, with what the quota-aware pool left out or moved. */
  plan(
    target: Target,
    available: readonly string[],
    conversation: string | null = null,
    now = Date.now(),
  ): PoolPlan {
    const ids = target.profiles ?? available;
    if (strategyOf(target, ids) === 'quota-aware')
      return this.#pool.plan(target.provider, ids, conversation, now);
    return { ids: this.order(target, available), exhausted: [], movedFrom: null };
  }

  /** Records the login that served a conversation, so its next turn goes there too. */
  settle(target: Target, conversation: string | null, profileId: string): void {
    // A target without a strategy may be a pool: remembering a conversation's home costs nothing otherwise.
    if (target.strategy === null || target.strategy === 'quota-aware')
      this.#pool.settle(target.provider, conversation, profileId);
  }

  order(target: Target, available: readonly string[]): string[] {
    const ids = target.profiles ?? available;
    if (target.strategy !== 'round-robin' || ids.length < 2) return [...ids];
    const key = `${target.provider}/${target.model}`;
    const n = this.#counters.get(key) ?? 0;
    this.#counters.set(key, n + 1);
    const start = n % ids.length;
    return [...ids.slice(start), ...ids.slice(0, start)];
  }
}

/** The strategy in force: as configured, else `quota-aware` for a pool of logins and `ordered` for one. */
export function strategyOf(target: Target, ids: readonly string[]): Strategy {
  return target.strategy ?? (ids.length >= 2 ? 'quota-aware' : 'ordered');
}
