import { readJwtClaims, readNestedClaim } from '../util/jwt.js';
import { OPENAI_MODELS } from './model-catalog.js';
import { optionalNumber, requireString } from './token-fields.js';
import type { ProviderDescriptor } from './types.js';

const AUTH_CLAIM = 'https://api.openai.com/auth';
const PROFILE_CLAIM = 'https://api.openai.com/profile';

/** Account id and email carried by OpenAI access/id tokens. */
export function readOpenAiIdentity(access: string, idToken?: string | null) {
  const a = readJwtClaims(access);
  const i = readJwtClaims(idToken);
  const email = (typeof i?.email === 'string' ? i.email : null) ?? readNestedClaim(a, PROFILE_CLAIM, 'email');
  return {
    accountId:
      readNestedClaim(a, AUTH_CLAIM, 'chatgpt_account_id') ??
      readNestedClaim(i, AUTH_CLAIM, 'chatgpt_account_id'),
    email,
  };
}

/** ChatGPT/Codex subscription login (OpenAI). */
export const openaiCodex: ProviderDescriptor = {
  id: 'openai-codex',
  title: 'OpenAI (ChatGPT/Codex login)',
  baseUrl: 'https://chatgpt.com/backend-api/codex',
  models: OPENAI_MODELS,
  oauth: {
    defaults: {
      tokenUrl: 'https://auth.openai.com/oauth/token',
      authorizeUrl: 'https://auth.openai.com/oauth/authorize',
      // Codex CLI's device login (`codex login --device-auth`); see src/login/device.ts.
      deviceUrl: 'https://auth.openai.com/api/accounts/deviceauth/usercode',
      clientId: 'app_EMoamEEZ73f0CkXaXp7hrann',
    },
    scope: 'openid profile email offline_access',
    redirectUri: 'http://localhost:1455/auth/callback',
    // The endpoint accepts JSON and form bodies alike; form is what every OAuth server takes.
    bodyFormat: 'form',
    parseTokens(body, now) {
      const access = requireString(body, 'access_token', 'openai-codex');
      const refresh = requireString(body, 'refresh_token', 'openai-codex');
      const claims = readJwtClaims(access);
      const expiresIn = optionalNumber(body, 'expires_in');
      const expires = claims?.exp ? claims.exp * 1000 : now + (expiresIn ?? 3600) * 1000;
      const issuedAt = claims?.iat ? claims.iat * 1000 : now;
      const idToken = typeof body.id_token === 'string' ? body.id_token : null;
      return { access, refresh, expires, issuedAt, ...readOpenAiIdentity(access, idToken) };
    },
  },
};
