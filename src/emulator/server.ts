import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClawkeepError } from '../errors.js';
import { anthropicRoutes } from './anthropic-routes.js';
import { controlRoutes } from './control-routes.js';
import { openaiCodexRoutes } from './openai-codex-routes.js';
import { openaiRoutes } from './openai-routes.js';
import type { RecordedRequest } from './recorder.js';
import type { ReusePolicy } from './reuse-policy.js';
import { dispatch } from './router.js';
import { createState } from './state.js';
import { collectStats, type EmulatorStats } from './stats.js';
import { usageRoutes } from './usage-routes.js';

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default strict. */
  reuse?: ReusePolicy;
  /** Lifetime of issued access tokens; default 3600. */
  accessTtlSeconds?: number;
}

/** A running emulator. */
export interface Emulator {
  /** `http://host:port`, no trailing slash. */
  url: string;
  port: number;
  /** The `CLAWKEEP_*` variables that point clawkeep at this emulator. */
  env(): Record<string, string>;
  stats(): EmulatorStats;
  /** The last model-endpoint requests, oldest first (as `GET /_emulator/requests?path=`). */
  requests(path?: string): RecordedRequest[];
  close(): Promise<void>;
}

/** Starts the OpenAI/Anthropic stand-in on `host:port`; resolves once it listens. */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 0;
  const ttl = opts.accessTtlSeconds ?? 3600;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ClawkeepError('usage', `invalid emulator port ${port}: expected an integer from 0 to 65535`);
  }
  if (!Number.isInteger(ttl) || ttl <= 0) {
    throw new ClawkeepError('usage', `invalid accessTtlSeconds ${ttl}: expected a positive integer`);
  }
  const state = await createState(opts.reuse ?? { kind: 'strict' }, ttl);
  const routes = [
    ...openaiCodexRoutes(),
    ...anthropicRoutes(),
    ...openaiRoutes(),
    ...usageRoutes(),
    ...controlRoutes(),
  ];
  const server = createServer((req, res) => void dispatch(routes, state, req, res));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;

  return {
    url,
    port: bound,
    env: () => emulatorEnv(url),
    stats: () => collectStats(state),
    requests: (path) => state.recorder.list(path),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The environment that routes every provider URL of clawkeep to the emulator at `url`. */
export function emulatorEnv(url: string): Record<string, string> {
  return {
    CLAWKEEP_OPENAI_CODEX_AUTHORIZE_URL: `${url}/openai-codex/oauth/authorize`,
    CLAWKEEP_OPENAI_CODEX_TOKEN_URL: `${url}/openai-codex/oauth/token`,
    CLAWKEEP_OPENAI_CODEX_DEVICE_URL: `${url}/openai-codex/api/accounts/deviceauth/usercode`,
    CLAWKEEP_OPENAI_CODEX_BASE_URL: `${url}/openai-codex/backend-api/codex`,
    CLAWKEEP_ANTHROPIC_AUTHORIZE_URL: `${url}/anthropic/oauth/authorize`,
    CLAWKEEP_ANTHROPIC_TOKEN_URL: `${url}/anthropic/v1/oauth/token`,
    CLAWKEEP_ANTHROPIC_BASE_URL: `${url}/anthropic`,
    CLAWKEEP_OPENAI_BASE_URL: `${url}/openai/v1`,
  };
}
