import { randomUUID } from 'node:crypto';
import { openaiError } from './envelopes.js';
import { isLoopbackRedirect, type OAuthProvider } from './oauth-provider.js';

export const OPENAI_CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
export const OPENAI_ISSUER = 'https://auth.openai.com';
export const OPENAI_API_AUDIENCE = 'https://api.openai.com/v1';
export const AUTH_CLAIM = 'https://api.openai.com/auth';
const PROFILE_CLAIM = 'https://api.openai.com/profile';
const SCOPES = ['openid', 'profile', 'email', 'offline_access'];
const ID_TOKEN_TTL_SECONDS = 3600;

const REUSED_MESSAGE =
  'Your refresh token has already been used to generate a new access token. Please try signing in again.';
const INVALIDATED_MESSAGE = 'Your refresh token has been invalidated. Please try signing in again.';

/** auth.openai.com as the Codex CLI sees it: RS256 JWT access and id tokens, `rt_` refresh tokens. */
export const openaiCodexAuth: OAuthProvider = {
  id: 'openai-codex',
  clientId: OPENAI_CODEX_CLIENT_ID,
  paths: {
    authorize: '/openai-codex/oauth/authorize',
    token: '/openai-codex/oauth/token',
  },
  deviceIssuerPath: '/openai-codex',
  allowsRedirect: isLoopbackRedirect,
  splitsCodeState: false,

  async issue(state, family, refresh) {
    const { account } = family;
    const iat = Math.floor(state.now() / 1000);
    const ttl = state.config.accessTtlSeconds;
    const jti = randomUUID();
    const auth = {
      chatgpt_account_id: account.accountId,
      chatgpt_plan_type: 'plus',
      chatgpt_user_id: account.userId,
      user_id: account.userId,
    };
    const access = await state.signer.sign({
      iss: OPENAI_ISSUER,
      aud: [OPENAI_API_AUDIENCE],
      client_id: OPENAI_CODEX_CLIENT_ID,
      iat,
      nbf: iat,
      exp: iat + ttl,
      jti,
      sub: account.subject,
      scp: SCOPES,
      [AUTH_CLAIM]: auth,
      [PROFILE_CLAIM]: { email: account.email, email_verified: true },
    });
    const idToken = await state.signer.sign({
      iss: OPENAI_ISSUER,
      aud: OPENAI_CODEX_CLIENT_ID,
      sub: account.subject,
      email: account.email,
      email_verified: true,
      iat,
      auth_time: iat,
      exp: iat + ID_TOKEN_TTL_SECONDS,
      [AUTH_CLAIM]: auth,
    });
    const expiresAt = (iat + ttl) * 1000;
    state.ledger.recordAccess(jti, family.id, expiresAt);
    return {
      access,
      refresh,
      expiresAt,
      body: {
        access_token: access,
        id_token: idToken,
        refresh_token: refresh,
        token_type: 'Bearer',
        expires_in: ttl,
        scope: SCOPES.join(' '),
      },
    };
  },

  refreshRejected(kind) {
    return kind === 'reused'
      ? { status: 401, body: openaiError(REUSED_MESSAGE, 'invalid_request_error', 'refresh_token_reused') }
      : {
          status: 401,
          body: openaiError(INVALIDATED_MESSAGE, 'invalid_request_error', 'refresh_token_invalidated'),
        };
  },
};
