import { ClawkeepError } from '../errors.js';
import type { ProviderDescriptor } from '../providers/types.js';

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs `fields` in `format` (default: the provider's body format) and reads the JSON answer. */
export async function postOAuth(
  provider: ProviderDescriptor,
  url: string,
  fields: Record<string, string>,
  fetchImpl: typeof fetch = fetch,
  format: 'json' | 'form' = provider.oauth?.bodyFormat ?? 'form',
): Promise<TokenAnswer> {
  const json = format === 'json';
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: 'POST',
      headers: {
        'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new ClawkeepError('upstream_error', `cannot reach ${url}: ${(err as Error).message}`, {
      cause: err,
      details: { provider: provider.id, url },
    });
  }
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  const record = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  return { status: res.status, body: record };
}

/** The OAuth error code of an answer: `{error}` (RFC 6749) or OpenAI's `{error:{code}}` envelope. */
export function oauthErrorCode(body: Record<string, unknown>): string | null {
  const e = body.error;
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object') {
    const code = (e as Record<string, unknown>).code;
    return typeof code === 'string' ? code : null;
  }
  return null;
}

export function describeOAuthError(answer: TokenAnswer): string {
  const code = oauthErrorCode(answer.body) ?? `HTTP ${answer.status}`;
  const d = answer.body.error_description;
  return typeof d === 'string' && d ? `${code} (${d})` : code;
}
