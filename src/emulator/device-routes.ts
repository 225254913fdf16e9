import { createHash, randomBytes } from 'node:crypto';
import { createAccount } from './accounts.js';
import { DEVICE_POLL_INTERVAL_SECONDS } from './device-codes.js';
import { field, sendJson } from './http-util.js';
import type { OAuthProvider } from './oauth-provider.js';
import type { RequestContext, Route } from './state.js';

/** Paths under the issuer, as Codex CLI's `codex login --device-auth` uses them. */
export const DEVICE_PATHS = {
  userCode: '/api/accounts/deviceauth/usercode',
  token: '/api/accounts/deviceauth/token',
  page: '/codex/device',
  callback: '/deviceauth/callback',
} as const;

/**
 * OpenAI's device login: `usercode` hands out `{device_auth_id, user_code, interval}`; `token` answers
 * 403 while the user has not approved, then once `{authorization_code, code_challenge, code_verifier}`,
 * which the client redeems at the token endpoint (PKCE, redirect `<issuer>/deviceauth/callback`).
 */
export function deviceRoutes(provider: OAuthProvider): Route[] {
  const base = provider.deviceIssuerPath;
  if (base === null) return [];
  return [
    { method: 'POST', path: `${base}${DEVICE_PATHS.userCode}`, handle: (ctx) => startDevice(provider, ctx) },
    {
      method: 'POST',
      path: `${base}${DEVICE_PATHS.token}`,
      handle: (ctx) => pollDevice(provider, base, ctx),
    },
    { method: 'GET', path: `${base}${DEVICE_PATHS.page}`, handle: (ctx) => approveDevice(provider, ctx) },
  ];
}

async function startDevice(provider: OAuthProvider, ctx: RequestContext): Promise<void> {
  const body = await ctx.body();
  if (field(body, 'client_id') !== provider.clientId) {
    return sendJson(ctx.res, 400, { error: { message: 'Unknown client_id', code: 'invalid_client' } });
  }
  const { deviceAuthId, userCode } = ctx.state.devices.start(provider.id, ctx.state.now());
  // OpenAI sends the interval as a string; Codex parses it so.
  sendJson(ctx.res, 200, {
    device_auth_id: deviceAuthId,
    user_code: userCode,
    interval: String(DEVICE_POLL_INTERVAL_SECONDS),
  });
}

async function pollDevice(provider: OAuthProvider, base: string, ctx: RequestContext): Promise<void> {
  const body = await ctx.body();
  const id = field(body, 'device_auth_id');
  const userCode = field(body, 'user_code');
  if (!id || !userCode) {
    return sendJson(ctx.res, 400, {
      error: { message: 'device_auth_id and user_code are required', code: 'invalid_request' },
    });
  }
  const poll = ctx.state.devices.poll(provider.id, id, userCode, ctx.state.now());
  if (poll.status === 'pending') {
    return sendJson(ctx.res, 403, {
      error: { message: 'Device authorization is pending', code: 'deviceauth_authorization_pending' },
    });
  }
  if (poll.status === 'unknown') {
    return sendJson(ctx.res, 404, {
      error: { message: 'Unknown or expired device authorization', code: 'deviceauth_not_found' },
    });
  }
  // The server ran the PKCE half itself; the client only redeems the code with the verifier it gets.
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const code = ctx.state.codes.issue(
    {
      provider: provider.id,
      clientId: provider.clientId,
      redirectUri: `${ctx.origin}${base}${DEVICE_PATHS.callback}`,
      challenge,
      state: randomBytes(16).toString('base64url'),
      account: poll.account,
    },
    ctx.state.now(),
  );
  sendJson(ctx.res, 200, { authorization_code: code, code_challenge: challenge, code_verifier: verifier });
}

/** The emulated user entering the code on the verification page, as `login_hint` or the default user. */
function approveDevice(provider: OAuthProvider, ctx: RequestContext): void {
  const userCode = ctx.url.searchParams.get('user_code') ?? '';
  const account = createAccount(provider.id, { email: ctx.url.searchParams.get('login_hint') ?? undefined });
  if (ctx.state.devices.approve(provider.id, userCode, account, ctx.state.now())) {
    sendJson(ctx.res, 200, { status: 'approved', user_code: userCode, email: account.email });
  } else {
    sendJson(ctx.res, 400, {
      error: { message: 'Unknown or expired user_code: pass ?user_code=XXXX-XXXX', code: 'invalid_request' },
    });
  }
}
