import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { loadConfig } from '../config/schema.js';
import { ClawkeepError } from '../errors.js';
import { chainsOf } from '../gateway/routing.js';
import type { Store } from '../store/types.js';
import {
  type ConnectInput,
  type ConnectPreview,
  type ConnectResult,
  connectClient,
  previewConnect,
  type UndoResult,
  undoConnect,
} from './connect.js';
import { gatewayUrlOf } from './gateway-url.js';
import { connectorFor } from './registry.js';
import type { ClientApi, ClientConnector } from './types.js';

export interface ConnectRequest {
  client: string;
  /** The client's config file; default: where the client looks for it. */
  configPath?: string;
  api?: ClientApi;
  model?: string;
  chain?: string;
  limits?: boolean;
}

interface Planned {
  connector: ClientConnector;
  gatewayUrl: string;
  path: string;
  input: ConnectInput;
}

/** Checks the chain exists in the gateway config and finds the client's config file; reads only. */
function planConnect(home: string, r: ConnectRequest, env: NodeJS.ProcessEnv): Planned {
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
  const input: ConnectInput = {
    connector,
    path,
    gatewayUrl,
    ...(r.api ? { api: r.api } : {}),
    ...(r.model ? { model: r.model } : {}),
    ...(r.limits ? { limits: true } : {}),
    extraModels: Object.keys(chains).map((c) => `chain:${c}`),
    chain: r.chain ?? null,
  };
  return { connector, gatewayUrl, path, input };
}

/** `connect <client>`: creates a client key and writes the client's settings. */
export async function connectAgent(
  store: Store,
  home: string,
  r: ConnectRequest,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ connector: ClientConnector; gatewayUrl: string; path: string; result: ConnectResult }> {
  const { connector, gatewayUrl, path, input } = planConnect(home, r, env);
  return { connector, gatewayUrl, path, result: await connectClient(store, home, input) };
}

/** `connect <client> --print`: the settings connect would write; no key, no file, no store. */
export function previewAgent(
  home: string,
  r: ConnectRequest,
  env: NodeJS.ProcessEnv = process.env,
): { connector: ClientConnector; gatewayUrl: string; preview: ConnectPreview } {
  const { connector, gatewayUrl, input } = planConnect(home, r, env);
  return { connector, gatewayUrl, preview: previewConnect(input) };
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
