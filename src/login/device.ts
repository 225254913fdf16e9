import { setTimeout as sleep } from 'node:timers/promises';
import { ClawkeepError } from '../errors.js';
import type { OAuthEndpoints, ProviderDescriptor } from '../providers/types.js';
import type { RotatedTokens } from '../store/types.js';
import { exchangeCode } from './exchange.js';
import { describeOAuthError, postOAuth } from './token-request.js';

/**
 * OpenAI's device login, as Codex CLI (`codex login --device-auth`) performs it. The device URL is
 * `<issuer>/api/accounts/deviceauth/usercode`; the poll, the page and the redirect hang off the issuer.
 */
const USER_CODE_PATH = '/api/accounts/deviceauth/usercode';
const TOKEN_PATH = '/api/accounts/deviceauth/token';
const PAGE_PATH = '/codex/device';
const CALLBACK_PATH = '/deviceauth/callback';
/** Codex gives up after 15 minutes; OpenAI's answer carries no lifetime. */
const DEVICE_TTL_MS = 15 * 60 * 1000;
const DEFAULT_INTERVAL_S = 5;

/** What the user must do to approve a device login. */
export interface DeviceStart {
  deviceAuthId: string;
  userCode: string;
  verificationUri: string;
  /** A page that needs no typing; OpenAI offers none. */
  verificationUriComplete: string | null;
  intervalMs: number;
  expiresAt: number;
  issuer: string;
}

/** The issuer a device URL belongs to: the URL without its `/api/accounts/deviceauth/usercode` tail. */
export function deviceIssuer(provider: ProviderDescriptor, deviceUrl: string): string {
  const trimmed = deviceUrl.replace(/\/+$/, '');
  if (!trimmed.endsWith(USER_CODE_PATH)) {
    throw new ClawkeepError(
      'config_invalid',
      `the device URL of ${provider.id} (${deviceUrl}) must end with ${USER_CODE_PATH}`,
      { details: { provider: provider.id }, hint: `e.g. https://auth.openai.com${USER_CODE_PATH}` },
    );
  }
  return trimmed.slice(0, -USER_CODE_PATH.length);
}

export async function startDeviceLogin(
  provider: ProviderDescriptor,
  ep: OAuthEndpoints,
  o: { fetch?: typeof fetch; now?: () => number } = {},
): Promise<DeviceStart> {
  if (!ep.deviceUrl) {
    throw new ClawkeepError(
      'usage',
      `${provider.id} has no device-code login; use the browser login (paste the redirect URL on headless hosts)`,
      { details: { provider: provider.id } },
    );
  }
  const issuer = deviceIssuer(provider, ep.deviceUrl);
  const answer = await postOAuth(provider, ep.deviceUrl, { client_id: ep.clientId }, o.fetch, 'json');
  if (answer.status === 404) {
    // What Codex CLI says on the same answer: the server (or the account) has no device login.
    throw new ClawkeepError(
      'login_failed',
      `device-code login is not enabled on ${issuer} (404 from ${ep.deviceUrl})`,
      {
        details: { provider: provider.id, status: 404 },
        hint: 'sign in without --device (on a host without a browser, paste the address the browser ends on), or check the device URL',
      },
    );
  }
  const b = answer.body;
  const str = (k: string) => (typeof b[k] === 'string' && b[k] ? (b[k] as string) : null);
  const deviceAuthId = str('device_auth_id');
  const userCode = str('user_code') ?? str('usercode');
  if (answer.status !== 200 || !deviceAuthId || !userCode) {
    throw new ClawkeepError(
      'login_failed',
      `${provider.id} did not start a device login: ${describeOAuthError(answer)}`,
      { details: { provider: provider.id, status: answer.status } },
    );
  }
  // OpenAI sends the interval as a string ("5"); a number is taken too.
  const interval = Number(b.interval);
  return {
    deviceAuthId,
    userCode,
    verificationUri: `${issuer}${PAGE_PATH}`,
    verificationUriComplete: null,
    intervalMs: (Number.isFinite(interval) && interval >= 0 ? interval : DEFAULT_INTERVAL_S) * 1000,
    expiresAt: (o.now ?? Date.now)() + DEVICE_TTL_MS,
    issuer,
  };
}

/**
 * Polls until the user approves (200 with an authorization code and its PKCE verifier, redeemed at
 * the token endpoint), while the answer is 403/404 (not yet), until `deadline` (epoch ms) passes.
 */
export async function pollDeviceLogin(
  provider: ProviderDescriptor,
  ep: OAuthEndpoints,
  start: DeviceStart,
  o: { deadline: number; fetch?: typeof fetch; now?: () => number },
): Promise<RotatedTokens> {
  const now = o.now ?? Date.now;
  const deadline = Math.min(o.deadline, start.expiresAt);
  const fields = { device_auth_id: start.deviceAuthId, user_code: start.userCode };
  for (;;) {
    const answer = await postOAuth(provider, `${start.issuer}${TOKEN_PATH}`, fields, o.fetch, 'json');
    if (answer.status >= 200 && answer.status < 300) {
      const code = answer.body.authorization_code;
      const verifier = answer.body.code_verifier;
      if (typeof code !== 'string' || typeof verifier !== 'string' || !code || !verifier) {
        throw new ClawkeepError('login_failed', `${provider.id} approved the device login without a code`, {
          details: { provider: provider.id, status: answer.status },
        });
      }
      const redirectUri = `${start.issuer}${CALLBACK_PATH}`;
      return exchangeCode(provider, ep, { code, verifier, redirectUri, state: '' }, o);
    }
    if (answer.status !== 403 && answer.status !== 404) {
      throw new ClawkeepError(
        'login_failed',
        `${provider.id} device login failed: ${describeOAuthError(answer)}`,
        { details: { provider: provider.id, status: answer.status } },
      );
    }
    const wait = Math.min(start.intervalMs, deadline - now());
    if (wait <= 0) {
      throw new ClawkeepError('login_timeout', `${provider.id} device login was not approved in time`, {
        details: { provider: provider.id },
      });
    }
    await sleep(wait);
  }
}
