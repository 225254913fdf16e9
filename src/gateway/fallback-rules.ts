/** Why a target was left for the next one. Stable codes: headers, events, metrics and logs use them. */
export type FallbackReason =
  | 'needs_reauth'
  | 'refresh_failed'
  | 'profile_unavailable'
  | 'auth'
  | 'rate_limited'
  | 'upstream_5xx'
  | 'connect_error'
  /** This process ran out of file descriptors or memory: not the upstream's fault, so no cooldown. */
  | 'local_error'
  /** A refresh failed inside clawkeep (a bug, a store error, a dead write thread): retried on the next request. */
  | 'internal_error'
  | 'timeout'
  | 'stream_error'
  | 'cooldown'
  /** A pool moved a conversation off a login whose quota is used up. */
  | 'quota';

/** Upstream HTTP statuses that move on to the next target, and why. Anything else 4xx goes back to the client. */
export const STATUS_RULES: ReadonlyArray<{ from: number; to: number; reason: FallbackReason }> = [
  { from: 401, to: 401, reason: 'auth' },
  { from: 403, to: 403, reason: 'auth' },
  { from: 408, to: 408, reason: 'timeout' },
  { from: 429, to: 429, reason: 'rate_limited' },
  { from: 500, to: 599, reason: 'upstream_5xx' },
];

/**
 * Broker error codes that make a target unusable for this request. Any other error from the broker
 * is clawkeep's own (`internal_error`): the login is not to blame, so it gets no cooldown.
 */
export const BROKER_ERROR_RULES: Readonly<Record<string, FallbackReason>> = {
  reauth_required: 'needs_reauth',
  refresh_transient: 'refresh_failed',
  lease_timeout: 'refresh_failed',
  profile_disabled: 'profile_unavailable',
  profile_not_found: 'profile_unavailable',
  profile_invalid: 'profile_unavailable',
};

/** How long a (profile, model) rests after each cause, unless the upstream's Retry-After says otherwise. */
export const DEFAULT_COOLDOWN_MS: Readonly<Record<FallbackReason, number>> = {
  needs_reauth: 0,
  refresh_failed: 30_000,
  profile_unavailable: 0,
  auth: 300_000,
  rate_limited: 60_000,
  upstream_5xx: 15_000,
  connect_error: 10_000,
  local_error: 0,
  internal_error: 0,
  timeout: 15_000,
  stream_error: 10_000,
  cooldown: 0,
  quota: 0,
};

export function reasonForStatus(status: number): FallbackReason | null {
  for (const r of STATUS_RULES) if (status >= r.from && status <= r.to) return r.reason;
  return null;
}

/** Cooldown for a cause: Retry-After wins, then config, then the default table. */
export function cooldownFor(
  reason: FallbackReason,
  retryAfterMs: number | null,
  overrides: Partial<Record<FallbackReason, number>> = {},
): number {
  if (retryAfterMs !== null && retryAfterMs > 0) return retryAfterMs;
  return overrides[reason] ?? DEFAULT_COOLDOWN_MS[reason];
}
