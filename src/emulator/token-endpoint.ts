import type { Account } from './accounts.js';
import type { ErrorReply } from './envelopes.js';
import { type Body, dropConnection, field, sendJson } from './http-util.js';
import type { OAuthProvider } from './oauth-provider.js';
import type { RequestContext } from './state.js';

function oauthError(status: number, error: string, description?: string): ErrorReply {
  return { status, body: description === undefined ? { error } : { error, error_description: description } };
}

/** Handles `POST <token>` for one provider: authorization_code (PKCE) and refresh_token grants. */
export async function handleTokenRequest(provider: OAuthProvider, ctx: RequestContext): Promise<void> {
  const body = await ctx.body();
  if (field(body, 'client_id') !== provider.clientId) {
    return reply(ctx, { status: 401, body: { error: 'invalid_client' } });
  }
  const grant = field(body, 'grant_type');
  if (grant === 'authorization_code') return grantCode(provider, ctx, body);
  if (grant === 'refresh_token') return grantRefresh(provider, ctx, body);
  return reply(
    ctx,
    oauthError(400, 'unsupported_grant_type', `Unsupported grant_type: ${grant ?? '(missing)'}`),
  );
}

async function grantCode(provider: OAuthProvider, ctx: RequestContext, body: Body): Promise<void> {
  let code = field(body, 'code');
  let state = field(body, 'state');
  if (!code) return reply(ctx, oauthError(400, 'invalid_request', 'Missing required parameter: code'));
  if (provider.splitsCodeState && code.includes('#')) {
    const [pasted = '', pastedState] = code.split('#', 2);
    code = pasted;
    state ??= pastedState;
  }
  const result = ctx.state.codes.redeem(
    {
      provider: provider.id,
      code,
      verifier: field(body, 'code_verifier'),
      redirectUri: field(body, 'redirect_uri'),
      state,
    },
    ctx.state.now(),
  );
  if (!result.ok) return reply(ctx, oauthError(400, 'invalid_grant', result.description));
  return issueForNewFamily(provider, ctx, result.account);
}

async function grantRefresh(provider: OAuthProvider, ctx: RequestContext, body: Body): Promise<void> {
  const token = field(body, 'refresh_token');
  if (!token) {
    return reply(ctx, oauthError(400, 'invalid_request', 'Missing required parameter: refresh_token'));
  }
  const outcome = ctx.state.ledger.refresh(provider.id, token, ctx.state.now());
  switch (outcome.kind) {
    case 'rotated': {
      const issued = await provider.issue(ctx.state, outcome.family, outcome.refresh);
      if (ctx.state.faults.takeDropAfterRotate(provider.id)) return dropConnection(ctx.res);
      return sendJson(ctx.res, 200, issued.body);
    }
    case 'grace': {
      const issued = await provider.issue(ctx.state, outcome.family, outcome.refresh);
      return sendJson(ctx.res, 200, issued.body);
    }
    case 'reused':
    case 'invalidated':
      return reply(ctx, provider.refreshRejected(outcome.kind));
    case 'unknown':
      return reply(ctx, oauthError(400, 'invalid_grant', 'Refresh token not found or invalid'));
  }
}

async function issueForNewFamily(
  provider: OAuthProvider,
  ctx: RequestContext,
  account: Account,
): Promise<void> {
  const family = ctx.state.ledger.startFamily(provider.id, account);
  const issued = await provider.issue(ctx.state, family, family.current);
  sendJson(ctx.res, 200, issued.body);
}

function reply(ctx: RequestContext, r: ErrorReply): void {
  sendJson(ctx.res, r.status, r.body, r.headers);
}
