import type { GatewayConfig } from '../config/schema.js';
import { listProviders } from '../providers/registry.js';
import { chainsOf } from './routing.js';

/** How many models per provider get a series of their own beyond the config's and the catalog's. */
export const BUSIEST_PER_PROVIDER = 20;
/** Served this many times before a model outside the catalog gets its own series. */
const ADMIT_AFTER = 2;
/** Candidates counted per provider; past this the ones seen once are forgotten. */
const TRACKED_PER_PROVIDER = 200;
/** What a model id must look like to become a label (client input never writes odd bytes into metrics). */
const LABEL_SAFE = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Metric and usage labels from a bounded set. A `provider/model` keeps its own label when the config
 * or a provider's catalog names it, or when it is among the busiest models that provider served (the
 * first `BUSIEST_PER_PROVIDER` served at least twice, so Codex CLI's and Claude Code's current
 * defaults are counted as themselves). Everything else folds into `provider/other`: a client sending
 * random model names never mints more than that many series.
 */
export class MetricLabels {
  #known: ReadonlySet<string>;
  #admitted = new Map<string, Set<string>>();
  #counts = new Map<string, Map<string, number>>();
  #perProvider: number;

  constructor(config: GatewayConfig, perProvider = BUSIEST_PER_PROVIDER) {
    const known = new Set<string>();
    for (const targets of Object.values(chainsOf(config))) {
      for (const t of targets) known.add(typeof t === 'string' ? t : t.target);
    }
    for (const alias of Object.values(config.models)) if (alias.includes('/')) known.add(alias);
    for (const p of listProviders()) for (const id of p.models?.ids ?? []) known.add(`${p.id}/${id}`);
    this.#known = known;
    this.#perProvider = perProvider;
  }

  /** Counts a request a target served; a busy model outside the catalog earns its own label. */
  served(target: string): void {
    if (this.#has(target)) return;
    const slash = target.indexOf('/');
    if (slash === -1) return;
    const provider = target.slice(0, slash);
    const model = target.slice(slash + 1);
    const admitted = this.#admitted.get(provider) ?? new Set<string>();
    if (admitted.size >= this.#perProvider || !LABEL_SAFE.test(model)) return;
    const counts = this.#counts.get(provider) ?? new Map<string, number>();
    this.#counts.set(provider, counts);
    const n = (counts.get(model) ?? 0) + 1;
    if (n < ADMIT_AFTER) {
      if (counts.size >= TRACKED_PER_PROVIDER) {
        for (const [m, c] of counts) if (c <= 1) counts.delete(m);
      }
      counts.set(model, n);
      return;
    }
    counts.delete(model);
    admitted.add(model);
    this.#admitted.set(provider, admitted);
  }

  /** `provider/model` or `provider/model@profile`, with a model not (yet) labelled folded into `other`. */
  target(label: string): string {
    const at = label.indexOf('@');
    const target = at === -1 ? label : label.slice(0, at);
    if (this.#has(target) || target === 'none') return label;
    const slash = target.indexOf('/');
    const bounded = `${slash === -1 ? 'unknown' : target.slice(0, slash)}/other`;
    return at === -1 ? bounded : `${bounded}${label.slice(at)}`;
  }

  #has(target: string): boolean {
    if (this.#known.has(target)) return true;
    const slash = target.indexOf('/');
    return (
      slash !== -1 && (this.#admitted.get(target.slice(0, slash))?.has(target.slice(slash + 1)) ?? false)
    );
  }
}
