import { readJwtClaims } from '../util/jwt.js';
import { typeName } from '../util/type-name.js';
import type { OpenClawProfile } from './types.js';

/** OpenClaw ≥ 2026.6 writes these in place of tokens while a refresh is fenced: not tokens. */
export const REFRESH_FENCE_PREFIX = 'openclaw-oauth-refresh-fence:';

export function isFenceMarker(value: string | null | undefined): boolean {
  return typeof value === 'string' && value.startsWith(REFRESH_FENCE_PREFIX);
}

/**
 * The id two stores of different eras use for one profile: OpenClaw ≥ 2026.6 renamed
 * `openai-codex:*` to `openai:*` ("openai-provider-unification").
 */
export function canonicalProfileId(id: string): string {
  return id.startsWith('openai-codex:') ? `openai:${id.slice('openai-codex:'.length)}` : id;
}

/** The provider family used to match accounts across eras (`openai-codex` and `openai` are one). */
export function providerFamily(provider: string): string {
  return provider === 'openai-codex' ? 'openai' : provider;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);

const STRING_FIELDS = [
  'type',
  'mode',
  'provider',
  'access',
  'refresh',
  'accountId',
  'email',
  'key',
  'apiKey',
  'token',
];

/**
 * The first field of a stored record whose type is wrong (`refresh: 12345`), as `field: expected …,
 * found a number`; null when every known field is absent, null or of its type. Never quotes a value.
 */
export function malformedField(raw: Record<string, unknown>): string | null {
  for (const f of STRING_FIELDS) {
    const v = raw[f];
    if (v !== undefined && v !== null && typeof v !== 'string')
      return `${f}: expected a string, found ${typeName(v)}`;
  }
  const e = raw.expires;
  if (e !== undefined && e !== null && (typeof e !== 'number' || !Number.isFinite(e)))
    return `expires: expected epoch milliseconds (a number), found ${typeName(e)}`;
  return null;
}

/** Parses one stored record the way OpenClaw does (`mode`/`apiKey` aliases included); null if not an object. */
export function parseProfileRecord(
  id: string,
  raw: unknown,
  fallbackProvider?: string,
): OpenClawProfile | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  const typeText = str(r.type) ?? str(r.mode);
  const type =
    typeText === 'oauth' || typeText === 'token'
      ? typeText
      : typeText === 'api_key' || typeText === 'apiKey'
        ? 'api_key'
        : 'unknown';
  return {
    id,
    type,
    provider: str(r.provider) ?? fallbackProvider ?? id.split(':')[0] ?? '',
    access: str(r.access),
    refresh: str(r.refresh),
    expires: num(r.expires),
    accountId: str(r.accountId),
    email: str(r.email),
    secret: type === 'api_key' ? (str(r.key) ?? str(r.apiKey)) : type === 'token' ? str(r.token) : null,
    raw: r,
  };
}

/** True when the copy holds something that can still be used or refreshed (no fence marker, not empty). */
export function holdsLiveCredential(p: OpenClawProfile, now: number): boolean {
  if (p.type === 'api_key' || p.type === 'token') return p.secret !== null;
  if (isFenceMarker(p.refresh) || isFenceMarker(p.access)) return false;
  if (p.refresh) return true;
  return p.access !== null && (p.expires === null || p.expires > now);
}

/** Why a copy is dead, as a stable reason code; null when it is live. */
export function deadReason(p: OpenClawProfile, now: number): 'refresh_fence' | 'no_refresh_token' | null {
  if (holdsLiveCredential(p, now)) return null;
  return isFenceMarker(p.refresh) || isFenceMarker(p.access) ? 'refresh_fence' : 'no_refresh_token';
}

/** The token that identifies one rotation of a copy: the refresh token, else the access token or key. */
export function credentialToken(p: OpenClawProfile): string | null {
  return p.refresh ?? p.access ?? p.secret;
}

/** A copy of one credential together with when its store last changed (for the freshness order). */
export interface DatedCopy {
  profile: OpenClawProfile;
  updatedAt: number | null;
}

/**
 * The freshness order (docs/refresh-protocol.md): access-token JWT `iat`, then JWT `exp`, then `expires`, then the
 * store's `updated_at`. A key decides only when both copies have it. >0: `a` is fresher; 0: a tie.
 */
export function compareFreshness(a: DatedCopy, b: DatedCopy): number {
  const ca = readJwtClaims(a.profile.access);
  const cb = readJwtClaims(b.profile.access);
  const keys: Array<[number | null | undefined, number | null | undefined]> = [
    [ca?.iat, cb?.iat],
    [ca?.exp, cb?.exp],
    [a.profile.expires, b.profile.expires],
    [a.updatedAt, b.updatedAt],
  ];
  for (const [x, y] of keys) {
    if (typeof x === 'number' && typeof y === 'number' && x !== y) return x - y;
  }
  return 0;
}

/** True when both copies hold the same tokens (nothing to reconcile). */
export function sameTokens(a: OpenClawProfile, b: OpenClawProfile): boolean {
  return a.refresh === b.refresh && a.access === b.access && a.secret === b.secret;
}
