import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type GatewayConfig, loadConfig, type TargetSpecInput } from '../config/schema.js';
import { isClawkeepError } from '../errors.js';
import { STORE_FILE } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { type ConfigIssue, checkConfigReferences, type StoreFacts } from './config-references.js';
import { chainsOf } from './routing.js';

export type ConfigCheck =
  | { loaded: false; error: Error & { toJSON(): unknown } }
  | {
      loaded: true;
      valid: boolean;
      file: string | null;
      config: GatewayConfig;
      chains: Record<string, TargetSpecInput[]>;
      issues: ConfigIssue[];
      /** False when there is no store yet, so profile names were not checked. */
      storeChecked: boolean;
    };

/**
 * `config check`: the schema first (a file that does not parse is one error), then every reference
 * it makes, against the store when there is one, all reported in one pass.
 */
export async function checkConfig(
  home: string,
  useStore: <T>(fn: (store: Store) => Promise<T>) => Promise<T>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConfigCheck> {
  return checkConfigWith(
    home,
    async () =>
      existsSync(join(home, STORE_FILE))
        ? await useStore(async (store) => ({
            profiles: (await store.listProfiles()).map((p) => p.id),
            clients: (await store.listClients()).map((c) => ({ name: c.name, chain: c.chain })),
          }))
        : null,
    env,
  );
}

/**
 * The checks of `config check`, with the store's facts from the caller (the doctor reads them without
 * opening the store for writing); `readFacts` runs only once the file has loaded. Null: no store to compare with.
 */
export async function checkConfigWith(
  home: string,
  readFacts: () => Promise<StoreFacts | null> | StoreFacts | null,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConfigCheck> {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(home, env, { skipReferences: true });
  } catch (err) {
    if (!isClawkeepError(err, 'config_invalid')) throw err;
    return { loaded: false, error: err };
  }
  const { config, file } = loaded;
  const facts = await readFacts();
  const issues = checkConfigReferences(config, facts);
  return {
    loaded: true,
    valid: issues.length === 0,
    file,
    config,
    chains: chainsOf(config),
    issues,
    storeChecked: facts !== null,
  };
}
