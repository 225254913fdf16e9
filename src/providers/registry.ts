import { providerEnvPrefix, readProviderEnv } from '../config/env.js';
import { ClawkeepError } from '../errors.js';
import { anthropic } from './anthropic.js';
import { openai, openaiCompatible } from './key-providers.js';
import { oidc } from './oidc.js';
import { openaiCodex } from './openai-codex.js';
import type { OAuthEndpoints, ProviderDescriptor } from './types.js';

/** Every provider clawkeep knows. Adding one: a descriptor module plus one line here (docs/providers.md). */
const PROVIDERS: ReadonlyMap<string, ProviderDescriptor> = new Map(
  [openaiCodex, anthropic, openai, openaiCompatible, oidc].map((p) => [p.id, p]),
);

export function listProviders(): ProviderDescriptor[] {
  return [...PROVIDERS.values()];
}

/** The provider with that id, or undefined (no error: for callers that handle an unknown id). */
export function findProvider(id: string): ProviderDescriptor | undefined {
  return PROVIDERS.get(id);
}

export function getProvider(id: string): ProviderDescriptor {
  const p = PROVIDERS.get(id);
  if (!p) {
    throw new ClawkeepError(
      'provider_unknown',
      `unknown provider "${id}"; known providers: ${[...PROVIDERS.keys()].join(', ')}`,
      { details: { provider: id } },
    );
  }
  return p;
}

/** `openai-codex` → `CLAWKEEP_OPENAI_CODEX_`. */
export function envPrefix(providerId: string): string {
  return providerEnvPrefix(providerId);
}

/** Resolves a provider's OAuth endpoints: env (CLAWKEEP_<P>_TOKEN_URL …) over built-in defaults. */
export function resolveOAuthEndpoints(
  p: ProviderDescriptor,
  env: NodeJS.ProcessEnv = process.env,
): OAuthEndpoints {
  if (!p.oauth) {
    throw new ClawkeepError('refresh_unsupported', `provider ${p.id} has no OAuth login; it uses API keys`, {
      details: { provider: p.id },
    });
  }
  const pre = envPrefix(p.id);
  const d = p.oauth.defaults;
  const o = readProviderEnv(p.id, env);
  const tokenUrl = o.tokenUrl ?? d.tokenUrl;
  const clientId = o.clientId ?? d.clientId;
  if (!tokenUrl || !clientId) {
    throw new ClawkeepError(
      'config_invalid',
      `provider ${p.id} needs ${pre}TOKEN_URL and ${pre}CLIENT_ID to be set (it has no built-in endpoint)`,
      { details: { provider: p.id } },
    );
  }
  return {
    tokenUrl,
    clientId,
    authorizeUrl: o.authorizeUrl ?? d.authorizeUrl,
    deviceUrl: o.deviceUrl ?? d.deviceUrl,
  };
}

/**
 * Per-provider variables that cannot mean anything: `CLAWKEEP_<P>_DEVICE_URL` for a provider without
 * a device login (Claude has none), and any `CLAWKEEP_<P>_*` OAuth override for a provider with no
 * OAuth login. Named as `config_invalid` before a command acts, instead of being silently ignored.
 */
export function checkProviderEnv(env: NodeJS.ProcessEnv = process.env): void {
  const problems: string[] = [];
  for (const p of listProviders()) {
    const o = readProviderEnv(p.id, env);
    const pre = envPrefix(p.id);
    if (o.deviceUrl && !p.oauth?.defaults.deviceUrl)
      problems.push(`${pre}DEVICE_URL is set, but ${p.id} has no device login`);
    if (!p.oauth)
      for (const [key, suffix] of [
        ['tokenUrl', 'TOKEN_URL'],
        ['authorizeUrl', 'AUTHORIZE_URL'],
        ['clientId', 'CLIENT_ID'],
      ] as const)
        if (o[key])
          problems.push(`${pre}${suffix} is set, but ${p.id} has no OAuth login (it uses API keys)`);
  }
  if (problems.length > 0)
    throw new ClawkeepError('config_invalid', `invalid environment: ${problems.join('; ')}`, {
      details: { variables: problems.map((p) => p.split(' ', 1)[0]) },
      hint: 'unset the variable named above',
    });
}

/** The model API base URL: CLAWKEEP_<P>_BASE_URL over the built-in default. */
export function resolveBaseUrl(p: ProviderDescriptor, env: NodeJS.ProcessEnv = process.env): string | null {
  return readProviderEnv(p.id, env).baseUrl ?? p.baseUrl;
}

/** The providers that serve a bare model name, in registry order (subscription logins first). */
export function providersForModel(model: string): string[] {
  return [...PROVIDERS.values()].filter((p) => p.models?.serves(model)).map((p) => p.id);
}
