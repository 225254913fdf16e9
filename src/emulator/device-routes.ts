import { createHash, randomBytes } from 'node:crypto';
import { createAccount } from './accounts.js';
import { DEVICE_POLL_INTERVAL_SECONDS } from './device-codes.js';
import { deviceApprovedPage, deviceCodeForm } from './device-page.js';
import { field, sendHtml, sendJson } from './http-util.js';
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
    { method: 'GET', path: `${base}${DEVICE_PATHS.page}`, handle: (ctx) => showDevicePage(provider, ctx) },
    { method: 'POST', path: `${base}${DEVICE_PATHS.page}`, handle: (ctx) => submitDevicePage(provider, ctx) },
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

/** The emulated user approving `userCode` as `loginHint` (or the default user); null when refused. */
function approve(provider: OAuthProvider, ctx: RequestContext, userCode: string, loginHint?: string) {
  const account = createAccount(provider.id, { email: loginHint });
  return ctx.state.devices.approve(provider.id, userCode, account, ctx.state.now()) ? account : null;
}

/**
 * The verification page: a form to type the code in, as the real page shows. With `?user_code=`
 * (and `login_hint`) it approves at once and answers JSON, for scripts and tests.
 */
function showDevicePage(provider: OAuthProvider, ctx: RequestContext): void {
  const q = ctx.url.searchParams;
  const userCode = q.get('user_code');
  if (userCode === null) {
    sendHtml(ctx.res, 200, deviceCodeForm({ action: ctx.url.pathname }));
    return;
  }
  const account = approve(provider, ctx, userCode, q.get('login_hint') ?? undefined);
  if (account) {
    sendJson(ctx.res, 200, { status: 'approved', user_code: userCode, email: account.email });
  } else {
    sendJson(ctx.res, 400, {
      error: {
        message: `Unknown, expired or already used user_code ${userCode}: pass the code the terminal shows, or open this page without ?user_code= to type it`,
        code: 'invalid_request',
      },
    });
  }
}

/** The form posted: approves the code and says so, or shows the form again naming the problem. */
async function submitDevicePage(provider: OAuthProvider, ctx: RequestContext): Promise<void> {
  const body = await ctx.body();
  const userCode = field(body, 'user_code') ?? '';
  const account = userCode ? approve(provider, ctx, userCode, field(body, 'login_hint')) : null;
  if (account) return sendHtml(ctx.res, 200, deviceApprovedPage(account.email));
  const problem = userCode
    ? `The code ${userCode} is unknown, expired or already used: enter the code your terminal shows now.`
    : 'Enter the code your terminal shows.';
  sendHtml(ctx.res, 400, deviceCodeForm({ action: ctx.url.pathname, userCode, problem }));
}
