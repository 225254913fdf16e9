import type { Profile } from '../store/types.js';
import { readJwtClaims } from '../util/jwt.js';

const MAX_WINDOW_MS = 5 * 60_000;

/**
 * When a token should be refreshed: `expires` minus the refresh window, which is the smaller of
 * 5 minutes and 10 % of the token's lifetime (JWT iat/exp when known, else issuedAt..expires).
 * Infinity for credentials that never expire.
 */
export function refreshAt(p: Pick<Profile, 'access' | 'expires' | 'issuedAt'>): number {
  if (p.expires === null) return Number.POSITIVE_INFINITY;
  return p.expires - refreshWindowMs(p);
}

export function refreshWindowMs(p: Pick<Profile, 'access' | 'expires' | 'issuedAt'>): number {
  const claims = readJwtClaims(p.access);
  let lifetime: number | null = null;
  if (claims?.iat && claims.exp) lifetime = (claims.exp - claims.iat) * 1000;
  else if (p.issuedAt !== null && p.expires !== null) lifetime = p.expires - p.issuedAt;
  if (lifetime === null || lifetime <= 0) return MAX_WINDOW_MS;
  return Math.min(MAX_WINDOW_MS, lifetime / 10);
}
