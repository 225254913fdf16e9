import type { ReauthReason } from '../store/types.js';
import type { RefreshFailure } from './types.js';

/** Error codes that mean the presented refresh token will never work again. */
const PERMANENT_CODES: Readonly<Record<string, ReauthReason>> = {
  refresh_token_reused: 'refresh_token_reused',
  refresh_token_expired: 'refresh_token_expired',
  refresh_token_invalidated: 'refresh_token_invalidated',
  invalid_grant: 'invalid_grant',
  token_revoked: 'revoked',
  // Codex CLI reads it as revoked too (codex-rs/core/src/auth.rs).
  refresh_token_revoked: 'revoked',
  revoked: 'revoked',
};

/** Statuses that are worth retrying later with the same token. */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 409, 425, 429, 500, 502, 503, 504]);

/**
 * Classifies a token-endpoint error answer. Reads the code from OpenAI's envelope
 * (`{error:{code}}`), OAuth's (`{error:"invalid_grant"}`) or Anthropic's (`{error:{type}}`).
 */
export function classifyRefreshError(
  status: number,
  body: unknown,
  retryAfter: string | null,
): RefreshFailure {
  const code = readErrorCode(body);
  const reason = code ? PERMANENT_CODES[code] : undefined;
  if (reason) return { kind: 'permanent', reason, status, code };
  if (status === 401) return { kind: 'permanent', reason: 'revoked', status, code };
  const transientStatus = TRANSIENT_STATUSES.has(status) || status >= 500;
  return {
    kind: 'transient',
    status,
    code,
    retryAfterMs: transientStatus ? parseRetryAfter(retryAfter) : null,
  };
}

export function readErrorCode(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  const err = (body as Record<string, unknown>).error;
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object') {
    const e = err as Record<string, unknown>;
    if (typeof e.code === 'string') return e.code;
    if (typeof e.type === 'string') return e.type;
  }
  return null;
}

/** `Retry-After` as seconds or an HTTP date → ms from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
