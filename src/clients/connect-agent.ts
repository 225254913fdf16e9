import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { loadConfig } from '../config/schema.js';
import { ClawkeepError } from '../errors.js';
import { chainsOf } from '../gateway/routing.js';
import type { Store } from '../store/types.js';
import { type ConnectResult, connectClient, type UndoResult, undoConnect } from './connect.js';
import { gatewayUrlOf } from './gateway-url.js';
import { connectorFor } from './registry.js';
import type { ClientApi, ClientConnector } from './types.js';

export interface ConnectRequest {
  client: string;
  /** Show the settings instead of writing them. */
  print: boolean;
  /** The client's config file; default: where the client looks for it. */
  configPath?: string;
  api?: ClientApi;
  model?: string;
  chain?: string;
}

/**
 * `connect <client>`: checks the chain exists in the gateway config, finds the client's config file,
 * creates a client key and writes (or, with `print`, only renders) the client's settings.
 */
export async function connectAgent(
  store: Store,
  home: string,
  r: ConnectRequest,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ connector: ClientConnector; gatewayUrl: string; path: string; result: ConnectResult }> {
  const connector = connectorFor(r.client);
  const { config } = loadConfig(home, env);
  const chains = chainsOf(config);
  if (r.chain !== undefined && !chains[r.chain]) {
    throw new ClawkeepError(
      'usage',
      `--chain ${r.chain}: no such chain (chains: ${Object.keys(chains).join(', ') || 'none'})`,
    );
  }
  const path = r.configPath ? resolve(r.configPath) : connector.configPath(env, homedir());
  const gatewayUrl = gatewayUrlOf(config.gateway);
  const result = await connectClient(
    store,
    home,
    {
      connector,
      path,
      gatewayUrl,
      ...(r.api ? { api: r.api } : {}),
      ...(r.model ? { model: r.model } : {}),
      extraModels: Object.keys(chains).map((c) => `chain:${c}`),
      chain: r.chain ?? null,
    },
    !r.print,
  );
  return { connector, gatewayUrl, path, result };
}

/** `connect <client> --undo`: restores the client's config and revokes the key connect created. */
export async function disconnectAgent(
  store: Store,
  home: string,
  client: string,
): Promise<{ connector: ClientConnector; result: UndoResult }> {
  const connector = connectorFor(client);
  return { connector, result: await undoConnect(store, home, connector.id, connector) };
}
