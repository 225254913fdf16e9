import { createAccount } from './accounts.js';
import { DEVICE_CODE_TTL_SECONDS, DEVICE_POLL_INTERVAL_SECONDS } from './device-codes.js';
import { field, sendJson } from './http-util.js';
import type { OAuthProvider } from './oauth-provider.js';
import type { RequestContext, Route } from './state.js';
import { handleTokenRequest } from './token-endpoint.js';

/** The authorize, token and device endpoints of one emulated OAuth server. */
export function oauthRoutes(provider: OAuthProvider): Route[] {
  return [
    { method: 'GET', path: provider.paths.authorize, handle: (ctx) => authorize(provider, ctx) },
    {
      method: 'POST',
      path: provider.paths.token,
      fault: { target: 'token', provider: provider.id },
      handle: (ctx) => handleTokenRequest(provider, ctx),
    },
    { method: 'POST', path: provider.paths.deviceCode, handle: (ctx) => startDevice(provider, ctx) },
    { method: 'GET', path: provider.paths.deviceApprove, handle: (ctx) => approveDevice(provider, ctx) },
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

async function startDevice(provider: OAuthProvider, ctx: RequestContext): Promise<void> {
  const body = await ctx.body();
  if (field(body, 'client_id') !== provider.clientId) {
    return sendJson(ctx.res, 401, { error: 'invalid_client' });
  }
  const { deviceCode, userCode } = ctx.state.devices.start(provider.id, provider.clientId, ctx.state.now());
  const verificationUri = `${ctx.origin}${provider.paths.deviceApprove}`;
  sendJson(ctx.res, 200, {
    device_code: deviceCode,
    user_code: userCode,
    verification_uri: verificationUri,
    verification_uri_complete: `${verificationUri}?user_code=${encodeURIComponent(userCode)}`,
    expires_in: DEVICE_CODE_TTL_SECONDS,
    interval: DEVICE_POLL_INTERVAL_SECONDS,
  });
}

/** The emulated user approving a device login, as `login_hint` or the default user. */
function approveDevice(provider: OAuthProvider, ctx: RequestContext): void {
  const userCode = ctx.url.searchParams.get('user_code') ?? '';
  const account = createAccount(provider.id, { email: ctx.url.searchParams.get('login_hint') ?? undefined });
  if (ctx.state.devices.approve(provider.id, userCode, account, ctx.state.now())) {
    sendJson(ctx.res, 200, { status: 'approved', user_code: userCode, email: account.email });
  } else {
    sendJson(ctx.res, 400, { error: 'invalid_request', error_description: 'Unknown or expired user_code' });
  }
}
