import { anthropicAuth } from './anthropic-auth.js';
import type { OAuthProvider } from './oauth-provider.js';
import { openaiCodexAuth } from './openai-codex-auth.js';
import type { OAuthProviderId } from './tokens.js';

/** Every emulated OAuth server, by provider id. */
export const OAUTH_PROVIDERS: Record<OAuthProviderId, OAuthProvider> = {
  'openai-codex': openaiCodexAuth,
  anthropic: anthropicAuth,
};
