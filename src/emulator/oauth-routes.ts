import { createAccount } from './accounts.js';
import { deviceRoutes } from './device-routes.js';
import { sendJson } from './http-util.js';
import type { OAuthProvider } from './oauth-provider.js';
import type { RequestContext, Route } from './state.js';
import { handleTokenRequest } from './token-endpoint.js';

/** The authorize and token endpoints of one emulated OAuth server, and its device login if it has one. */
export function oauthRoutes(provider: OAuthProvider): Route[] {
  return [
    { method: 'GET', path: provider.paths.authorize, handle: (ctx) => authorize(provider, ctx) },
    {
      method: 'POST',
      path: provider.paths.token,
      fault: { target: 'token', provider: provider.id },
      handle: (ctx) => handleTokenRequest(provider, ctx),
    },
    ...deviceRoutes(provider),
  ];
}

interface AuthorizeRequest {
  redirect: URL;
  challenge: string;
  state: string;
}

/** The validated authorize parameters, or the OAuth error and description to answer with. */
function readAuthorize(provider: OAuthProvider, q: URLSearchParams): AuthorizeRequest | [string, string] {
  if (q.get('client_id') !== provider.clientId) return ['invalid_client', 'Unknown client_id'];
  if (q.get('response_type') !== 'code') return ['unsupported_response_type', 'response_type must be code'];
  const uri = q.get('redirect_uri') ?? '';
  const redirect = URL.canParse(uri) ? new URL(uri) : null;
  if (!redirect || !provider.allowsRedirect(redirect)) {
    return ['invalid_request', 'redirect_uri is missing or not registered for this client'];
  }
  const challenge = q.get('code_challenge') ?? '';
  if (!/^[A-Za-z0-9_-]{43,128}$/.test(challenge)) return ['invalid_request', 'code_challenge is required'];
  if (q.get('code_challenge_method') !== 'S256') {
    return ['invalid_request', 'code_challenge_method must be S256'];
  }
  const state = q.get('state');
  if (!state) return ['invalid_request', 'state is required'];
  return { redirect, challenge, state };
}

/** Auto-approves as `login_hint` (or the default user) and redirects back with a PKCE-bound code. */
function authorize(provider: OAuthProvider, ctx: RequestContext): void {
  const q = ctx.url.searchParams;
  const request = readAuthorize(provider, q);
  if (Array.isArray(request)) {
    const [error, description] = request;
    sendJson(ctx.res, 400, { error, error_description: description });
    return;
  }
  const { redirect, challenge, state } = request;
  const account = createAccount(provider.id, { email: q.get('login_hint') ?? undefined });
  const code = ctx.state.codes.issue(
    {
      provider: provider.id,
      clientId: provider.clientId,
      redirectUri: q.get('redirect_uri') ?? '',
      challenge,
      state,
      account,
    },
    ctx.state.now(),
  );
  redirect.searchParams.set('code', code);
  redirect.searchParams.set('state', state);
  ctx.res.writeHead(302, { location: redirect.toString(), 'cache-control': 'no-store' });
  ctx.res.end();
}
