import type { GatewayConfig } from '../config/schema.js';
import { listProviders } from '../providers/registry.js';
import { chainsOf } from './routing.js';

interface Listed {
  id: string;
  provider: string;
}

/**
 * The model ids clients may send, for their model pickers: the catalog ids of every provider with
 * a usable profile (families in `first` order), config aliases, chains and their targets.
 */
export function listModelIds(config: GatewayConfig, hasProfiles: (provider: string) => boolean): Listed[] {
  const seen = new Map<string, Listed>();
  const add = (id: string, provider: string) => {
    if (!seen.has(id)) seen.set(id, { id, provider });
  };
  for (const p of listProviders()) {
    if (p.models && hasProfiles(p.id)) for (const id of p.models.ids) add(id, p.id);
  }
  for (const alias of Object.keys(config.models)) add(alias, 'clawkeep');
  for (const [name, targets] of Object.entries(chainsOf(config))) {
    add(`chain:${name}`, 'clawkeep');
    for (const t of targets) add(typeof t === 'string' ? t : t.target, 'clawkeep');
  }
  return [...seen.values()];
}

/** OpenAI's `GET /v1/models` list. */
export function openaiModelList(models: readonly Listed[]) {
  return {
    object: 'list',
    data: models.map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: m.provider })),
  };
}

/** Anthropic's `GET /v1/models` page, Claude models first. */
export function anthropicModelList(models: readonly Listed[]) {
  const sorted = [...models].sort((a, b) => rank(a) - rank(b));
  return {
    data: sorted.map((m) => ({
      type: 'model',
      id: m.id,
      display_name: m.id,
      created_at: '1970-01-01T00:00:00Z',
    })),
    has_more: false,
    first_id: sorted[0]?.id ?? null,
    last_id: sorted.at(-1)?.id ?? null,
  };
}

function rank(m: Listed): number {
  return m.provider === 'anthropic' ? 0 : 1;
}
