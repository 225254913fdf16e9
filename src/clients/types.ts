/** The agents `clawkeep connect` can point at the gateway. */
export const CONNECT_CLIENT_IDS = ['codex', 'claude-code', 'opencode', 'pi', 'openclaw'] as const;
export type ConnectClientId = (typeof CONNECT_CLIENT_IDS)[number];

/** The wire API a client is told to speak to the gateway. */
export type ClientApi = 'chat' | 'responses' | 'messages';

/** One value clawkeep sets in a client's config: a key path from the document root. */
export interface Setting {
  path: readonly string[];
  value: unknown;
}

/** What a connector needs to describe a client's gateway config. */
export interface ConnectOptions {
  /** The gateway's root URL, without `/v1`. */
  gatewayUrl: string;
  /** The client key the config carries. */
  key: string;
  /** The model the client asks for; undefined keeps the client's own default where it has one. */
  model?: string;
  /** Model names to offer in clients that list models (the first is the default). */
  models: readonly string[];
  api: ClientApi;
  /** Also send the client's own limits reads (Codex's `/status`) to the gateway: `connect --limits`. */
  limits?: boolean;
}

/** One client: where its config lives, its format, and the settings that point it at the gateway. */
export interface ClientConnector {
  id: ConnectClientId;
  title: string;
  format: 'json' | 'toml';
  /** APIs this client can be configured for; the first is the default. */
  apis: readonly ClientApi[];
  /** The config file `connect` edits, from the client's own environment variables. */
  configPath(env: NodeJS.ProcessEnv, userHome: string): string;
  /** Refuses (throws a usage error) when the client keeps its config somewhere `connect` cannot edit. */
  checkConfigPath?(path: string): void;
  settings(o: ConnectOptions): Setting[];
  /** One line telling the user how to run the client now, asking for `model`. */
  usage(model: string): string;
}
