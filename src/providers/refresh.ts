import type { RotatedTokens } from '../store/types.js';
import { classifyRefreshError } from './classify.js';
import { resolveOAuthEndpoints } from './registry.js';
import type { ProviderDescriptor, RefreshFailure } from './types.js';

export type RefreshResult = { ok: true; tokens: RotatedTokens } | { ok: false; failure: RefreshFailure };

export interface RefreshOptions {
  timeoutMs: number;
  now: () => number;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

/**
 * Presents one refresh token to the provider's token endpoint, once. Never throws for
 * network or HTTP failures: they come back classified, so the broker decides what to do.
 */
export async function refreshOAuthToken(
  provider: ProviderDescriptor,
  refreshToken: string,
  options: RefreshOptions,
): Promise<RefreshResult> {
  const spec = provider.oauth!;
  const ep = resolveOAuthEndpoints(provider, options.env);
  const fields = { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: ep.clientId };
  const json = spec.bodyFormat === 'json';
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(ep.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (err) {
    const timeout = (err as Error).name === 'TimeoutError';
    return transient(null, timeout ? 'timeout' : 'network');
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok)
    return { ok: false, failure: classifyRefreshError(res.status, body, res.headers.get('retry-after')) };
  if (!body || typeof body !== 'object') return transient(res.status, 'bad_response');
  try {
    return { ok: true, tokens: spec.parseTokens(body as Record<string, unknown>, options.now()) };
  } catch {
    return transient(res.status, 'bad_response');
  }
}

function transient(status: number | null, code: string): RefreshResult {
  return { ok: false, failure: { kind: 'transient', status, code, retryAfterMs: null } };
}
