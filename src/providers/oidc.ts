import { readJwtClaims } from '../util/jwt.js';
import { optionalNumber, requireString } from './token-fields.js';
import type { ProviderDescriptor } from './types.js';

/**
 * Any standards-following OAuth 2.0 / OpenID Connect server with rotating refresh tokens.
 * It has no defaults: CLAWKEEP_OIDC_TOKEN_URL and CLAWKEEP_OIDC_CLIENT_ID name the server.
 */
export const oidc: ProviderDescriptor = {
  id: 'oidc',
  title: 'Generic OAuth 2.0 / OpenID Connect',
  baseUrl: null,
  models: null,
  oauth: {
    defaults: { tokenUrl: null, authorizeUrl: null, deviceUrl: null, clientId: null },
    scope: 'openid offline_access',
    redirectUri: null,
    bodyFormat: 'form',
    parseTokens(body, now) {
      const access = requireString(body, 'access_token', 'oidc');
      const refresh = requireString(body, 'refresh_token', 'oidc');
      const claims = readJwtClaims(access);
      const expiresIn = optionalNumber(body, 'expires_in');
      const expires =
        expiresIn !== null ? now + expiresIn * 1000 : claims?.exp ? claims.exp * 1000 : now + 3600_000;
      const idClaims = readJwtClaims(typeof body.id_token === 'string' ? body.id_token : null);
      return {
        access,
        refresh,
        expires,
        issuedAt: claims?.iat ? claims.iat * 1000 : now,
        accountId: typeof idClaims?.sub === 'string' ? idClaims.sub : null,
        email: typeof idClaims?.email === 'string' ? idClaims.email : null,
      };
    },
  },
};
