import { CLAUDE_MODELS } from './model-catalog.js';
import { optionalNumber, requireString } from './token-fields.js';
import type { ProviderDescriptor } from './types.js';

/** Claude subscription login (Anthropic). Access tokens are opaque; identity comes in the token answer. */
export const anthropic: ProviderDescriptor = {
  id: 'anthropic',
  title: 'Anthropic (Claude login)',
  baseUrl: 'https://api.anthropic.com',
  models: CLAUDE_MODELS,
  subscription: {
    clientKinds: ['claude-code'],
    title: 'Claude subscription',
    terms: "Anthropic's terms keep Claude subscription logins to Anthropic's own apps",
  },
  oauth: {
    defaults: {
      tokenUrl: 'https://platform.claude.com/v1/oauth/token',
      authorizeUrl: 'https://claude.ai/oauth/authorize',
      deviceUrl: null,
      clientId: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
    },
    scope: 'org:create_api_key user:profile user:inference',
    redirectUri: 'http://localhost:53692/callback',
    bodyFormat: 'json',
    parseTokens(body, now) {
      const access = requireString(body, 'access_token', 'anthropic');
      const refresh = requireString(body, 'refresh_token', 'anthropic');
      const expiresIn = optionalNumber(body, 'expires_in') ?? 3600;
      const account = (body.account ?? null) as { uuid?: unknown; email_address?: unknown } | null;
      return {
        access,
        refresh,
        expires: now + expiresIn * 1000,
        issuedAt: now,
        accountId: typeof account?.uuid === 'string' ? account.uuid : null,
        email: typeof account?.email_address === 'string' ? account.email_address : null,
      };
    },
  },
};
