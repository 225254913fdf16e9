import { ClawkeepError } from '../errors.js';
import type { OAuthEndpoints, ProviderDescriptor } from '../providers/types.js';
import type { RotatedTokens } from '../store/types.js';
import { describeOAuthError, postOAuth } from './token-request.js';

export interface CodeExchange {
  code: string;
  verifier: string;
  redirectUri: string;
  state: string;
}

/** Redeems an authorization code (PKCE) for tokens, with identity read from the answer's claims. */
export async function exchangeCode(
  provider: ProviderDescriptor,
  ep: OAuthEndpoints,
  x: CodeExchange,
  o: { fetch?: typeof fetch; now?: () => number } = {},
): Promise<RotatedTokens> {
  const fields: Record<string, string> = {
    grant_type: 'authorization_code',
    client_id: ep.clientId,
    code: x.code,
    code_verifier: x.verifier,
    redirect_uri: x.redirectUri,
  };
  // Anthropic's token endpoint takes the state alongside the code (its pasted form is `code#state`).
  if (provider.oauth?.bodyFormat === 'json') fields.state = x.state;
  const answer = await postOAuth(provider, ep.tokenUrl, fields, o.fetch);
  if (answer.status < 200 || answer.status >= 300) {
    throw new ClawkeepError(
      'login_failed',
      `${provider.id} refused the authorization code: ${describeOAuthError(answer)}`,
      { details: { provider: provider.id, status: answer.status } },
    );
  }
  return provider.oauth!.parseTokens(answer.body, (o.now ?? Date.now)());
}
