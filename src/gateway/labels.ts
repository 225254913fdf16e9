import type { GatewayConfig } from '../config/schema.js';
import { listProviders } from '../providers/registry.js';
import { chainsOf } from './routing.js';

/**
 * Metric labels from a bounded set: a `provider/model` is kept when the config or a provider's
 * catalog names it, else it becomes `provider/other`. Client input never mints a new series.
 */
export class MetricLabels {
  #known: ReadonlySet<string>;

  constructor(config: GatewayConfig) {
    const known = new Set<string>();
    for (const targets of Object.values(chainsOf(config))) {
      for (const t of targets) known.add(typeof t === 'string' ? t : t.target);
    }
    for (const alias of Object.values(config.models)) if (alias.includes('/')) known.add(alias);
    for (const p of listProviders()) for (const id of p.models?.ids ?? []) known.add(`${p.id}/${id}`);
    this.#known = known;
  }

  /** `provider/model` or `provider/model@profile`, with an unknown model folded into `other`. */
  target(label: string): string {
    const at = label.indexOf('@');
    const target = at === -1 ? label : label.slice(0, at);
    if (this.#known.has(target) || target === 'none') return label;
    const slash = target.indexOf('/');
    const bounded = `${slash === -1 ? 'unknown' : target.slice(0, slash)}/other`;
    return at === -1 ? bounded : `${bounded}${label.slice(at)}`;
  }
}
