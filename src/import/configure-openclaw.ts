import { gatewayUrlOf } from '../clients/gateway-url.js';
import { loadConfig } from '../config/schema.js';
import { createClient } from '../gateway/clients.js';
import type { Store } from '../store/types.js';
import { openclawConfigPath, openclawGatewayConfig, writeOpenClawConfig } from './openclaw-config.js';

/** The gateway URL this home's agents should call: a gateway bound to every interface is still reached over loopback. */
export function gatewayUrlFor(home: string): string {
  return gatewayUrlOf(loadConfig(home).config.gateway);
}

export interface ConfiguredOpenClaw {
  path: string;
  url: string;
  client: string;
  previousPrimary: string | null;
  backup: string | null;
}

/**
 * Points each OpenClaw state dir's agents at the clawkeep gateway: a new client key per state dir
 * (`openclaw`, `openclaw-2`, …) written into its `openclaw.json`, the previous file kept as a backup.
 */
export async function configureOpenClawAgents(
  store: Store,
  home: string,
  stateDirs: string[],
  now = Date.now(),
): Promise<ConfiguredOpenClaw[]> {
  const url = gatewayUrlFor(home);
  const names = new Set((await store.listClients()).map((c) => c.name));
  const out: ConfiguredOpenClaw[] = [];
  for (const dir of stateDirs) {
    let name = 'openclaw';
    for (let i = 2; names.has(name); i++) name = `openclaw-${i}`;
    names.add(name);
    const { key } = await createClient(store, name, null);
    const path = openclawConfigPath(dir);
    const r = await writeOpenClawConfig(path, openclawGatewayConfig(url, key), now);
    out.push({
      path,
      url,
      client: name,
      previousPrimary: r.previousPrimary ?? null,
      backup: r.backup ?? null,
    });
  }
  return out;
}
