import { setTimeout as sleep } from 'node:timers/promises';
import { ClawkeepError } from '../errors.js';
import type { OAuthEndpoints, ProviderDescriptor } from '../providers/types.js';
import type { RotatedTokens } from '../store/types.js';
import { describeOAuthError, oauthErrorCode, postOAuth } from './token-request.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** What the user must do to approve a device login (RFC 8628 §3.2). */
export interface DeviceStart {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  intervalMs: number;
  expiresAt: number;
}

export async function startDeviceLogin(
  provider: ProviderDescriptor,
  ep: OAuthEndpoints,
  o: { fetch?: typeof fetch; now?: () => number } = {},
): Promise<DeviceStart> {
  if (!ep.deviceUrl) {
    throw new ClawkeepError(
      'usage',
      `${provider.id} has no device-code login configured; use the browser login (paste the redirect URL on headless hosts)`,
      { details: { provider: provider.id } },
    );
  }
  const answer = await postOAuth(
    provider,
    ep.deviceUrl,
    { client_id: ep.clientId, scope: provider.oauth!.scope },
    o.fetch,
  );
  const b = answer.body;
  const str = (k: string) => (typeof b[k] === 'string' && b[k] ? (b[k] as string) : null);
  const deviceCode = str('device_code');
  const userCode = str('user_code');
  const verificationUri = str('verification_uri') ?? str('verification_url');
  if (answer.status !== 200 || !deviceCode || !userCode || !verificationUri) {
    throw new ClawkeepError(
      'login_failed',
      `${provider.id} did not start a device login: ${describeOAuthError(answer)}`,
      { details: { provider: provider.id, status: answer.status } },
    );
  }
  const interval = typeof b.interval === 'number' && b.interval > 0 ? b.interval : 5;
  const expiresIn = typeof b.expires_in === 'number' && b.expires_in > 0 ? b.expires_in : 900;
  return {
    deviceCode,
    userCode,
    verificationUri,
    verificationUriComplete: str('verification_uri_complete'),
    intervalMs: interval * 1000,
    expiresAt: (o.now ?? Date.now)() + expiresIn * 1000,
  };
}

/** Polls the token endpoint until the user approves, refuses, or `deadline` (epoch ms) passes. */
export async function pollDeviceLogin(
  provider: ProviderDescriptor,
  ep: OAuthEndpoints,
  start: DeviceStart,
  o: { deadline: number; fetch?: typeof fetch; now?: () => number },
): Promise<RotatedTokens> {
  const now = o.now ?? Date.now;
  const deadline = Math.min(o.deadline, start.expiresAt);
  let interval = start.intervalMs;
  for (;;) {
    if (now() + interval > deadline) {
      throw new ClawkeepError('login_timeout', `${provider.id} device login was not approved in time`, {
        details: { provider: provider.id },
      });
    }
    await sleep(interval);
    const answer = await postOAuth(
      provider,
      ep.tokenUrl,
      { grant_type: DEVICE_GRANT, device_code: start.deviceCode, client_id: ep.clientId },
      o.fetch,
    );
    if (answer.status >= 200 && answer.status < 300) return provider.oauth!.parseTokens(answer.body, now());
    const code = oauthErrorCode(answer.body);
    if (code === 'authorization_pending') continue;
    if (code === 'slow_down') {
      interval += 5000;
      continue;
    }
    if (code === 'expired_token') {
      throw new ClawkeepError('login_timeout', `${provider.id} device code expired before it was approved`, {
        details: { provider: provider.id },
      });
    }
    throw new ClawkeepError(
      'login_failed',
      `${provider.id} device login failed: ${describeOAuthError(answer)}`,
      {
        details: { provider: provider.id, status: answer.status },
      },
    );
  }
}
