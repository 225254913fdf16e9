import { isLoopbackRedirect, type OAuthProvider } from './oauth-provider.js';
import { newAnthropicAccessToken } from './tokens.js';

export const ANTHROPIC_CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';
const SCOPE = 'user:inference user:profile';
// Anthropic's hosted "paste this code" callback pages, used when no local port is available.
const MANUAL_CALLBACKS = [
  'https://console.anthropic.com/oauth/code/callback',
  'https://platform.claude.com/oauth/code/callback',
];

/** Claude's OAuth server: opaque access and refresh tokens; every refresh failure is `invalid_grant`. */
export const anthropicAuth: OAuthProvider = {
  id: 'anthropic',
  clientId: ANTHROPIC_CLIENT_ID,
  paths: {
    authorize: '/anthropic/oauth/authorize',
    token: '/anthropic/v1/oauth/token',
  },
  deviceIssuerPath: null,
  allowsRedirect: (uri) =>
    isLoopbackRedirect(uri) || MANUAL_CALLBACKS.includes(`${uri.origin}${uri.pathname}`),
  splitsCodeState: true,

  async issue(state, family, refresh) {
    const ttl = state.config.accessTtlSeconds;
    const access = newAnthropicAccessToken();
    const expiresAt = state.now() + ttl * 1000;
    state.ledger.recordAccess(access, family.id, expiresAt);
    const { account } = family;
    return {
      access,
      refresh,
      expiresAt,
      body: {
        token_type: 'Bearer',
        access_token: access,
        expires_in: ttl,
        refresh_token: refresh,
        scope: SCOPE,
        organization: { uuid: account.orgId, name: account.orgName },
        account: { uuid: account.accountId, email_address: account.email },
      },
    };
  },

  refreshRejected() {
    return {
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Refresh token not found or invalid' },
    };
  },
};
