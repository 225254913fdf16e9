import { readEnv } from '../config/env.js';
import { ClawkeepError } from '../errors.js';

/** Where a provider's registered loopback redirect lives: ports tried in order, and the path. */
export interface CallbackSpec {
  ports: number[];
  path: string;
  /** Redirect used when no port is free: the user pastes what the browser ends on. */
  fallbackRedirect: string;
  /** Provider-specific authorize parameters beyond RFC 6749 + PKCE. */
  extraParams: Record<string, string>;
}

const SPECS: Record<string, CallbackSpec> = {
  // Codex CLI's registration: 1455, and 1457 when 1455 is taken.
  'openai-codex': {
    ports: [1455, 1457],
    path: '/auth/callback',
    fallbackRedirect: 'http://localhost:1455/auth/callback',
    extraParams: {
      id_token_add_organizations: 'true',
      codex_cli_simplified_flow: 'true',
      originator: 'clawkeep',
    },
  },
  anthropic: {
    ports: [53692],
    path: '/callback',
    // Anthropic wants the token request's redirect to match the registered loopback one, pasted or not.
    fallbackRedirect: 'http://localhost:53692/callback',
    extraParams: { code: 'true' },
  },
};

/**
 * The callback spec of a provider. `CLAWKEEP_LOGIN_CALLBACK_PORTS` (comma-separated) replaces the
 * port list, keeping the try-in-order behaviour; tests use it to run on free ports.
 */
export function callbackSpec(providerId: string, env: NodeJS.ProcessEnv = process.env): CallbackSpec {
  const spec = SPECS[providerId];
  if (!spec) {
    throw new ClawkeepError(
      'usage',
      `provider ${providerId} has no browser login; supported: ${Object.keys(SPECS).join(', ')}`,
      { details: { provider: providerId } },
    );
  }
  const ports = readEnv(env).CLAWKEEP_LOGIN_CALLBACK_PORTS;
  return ports ? { ...spec, ports } : spec;
}

export function loginProviders(): string[] {
  return Object.keys(SPECS);
}
