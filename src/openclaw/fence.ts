import { createHash } from 'node:crypto';
import { readEnvVar } from '../config/env.js';
import { readJwtClaims } from '../util/jwt.js';
import { compareFreshness, type DatedCopy } from './profile.js';
import type { OpenClawProfile } from './types.js';

/**
 * OpenClaw ≥ 2026.9's durable refresh fence (`src/agents/auth-profiles/oauth-refresh-marker.ts`):
 * before presenting a refresh token, the owner replaces the credential with
 * `openclaw-oauth-refresh-fence:v1:<claimId>:[failed:]access|refresh:<digest>` and `expires: 1`.
 * The refresh digest identifies the generation being refreshed without holding the secret.
 */
export interface RefreshFence {
  claimId: string;
  state: 'pending' | 'failed';
  refreshDigest: string;
}

/**
 * How long a pending fence must have stood before it counts as abandoned (its owner's refresh may
 * still be on the wire before that). `CLAWKEEP_FENCE_GRACE_MS` overrides the default 60 s.
 */
export function fenceGraceMs(env: NodeJS.ProcessEnv = process.env): number {
  return readEnvVar('CLAWKEEP_FENCE_GRACE_MS', env) ?? 60_000;
}

const ACCESS = /^openclaw-oauth-refresh-fence:v1:([a-f0-9]{32}):(failed:)?access:([a-f0-9]{64})$/;
const REFRESH = /^openclaw-oauth-refresh-fence:v1:([a-f0-9]{32}):(failed:)?refresh:([a-f0-9]{64})$/;

/** The fence a stored credential is, in OpenClaw's exact v1 shape; null for anything else. */
export function parseRefreshFence(p: OpenClawProfile): RefreshFence | null {
  if (p.type !== 'oauth' || p.raw.expires !== 1) return null;
  const a = ACCESS.exec(p.access ?? '');
  const r = REFRESH.exec(p.refresh ?? '');
  if (!a || !r || a[1] !== r[1] || a[2] !== r[2]) return null;
  return { claimId: a[1]!, state: a[2] ? 'failed' : 'pending', refreshDigest: r[3]! };
}

/** OpenClaw's secret-free identity of one refresh generation (`buildOAuthRefreshSecretDigest`). */
export function refreshGenerationDigest(profileId: string, provider: string, refresh: string): string {
  const input = JSON.stringify([
    'openclaw.oauth-refresh-generation',
    1,
    profileId,
    provider,
    'refresh',
    refresh,
  ]);
  return createHash('sha256').update(input).digest('hex');
}

/** True when `copy` holds the very refresh token the fence claimed (which the dead owner may have spent). */
export function isFencedGeneration(
  fence: RefreshFence,
  fenced: OpenClawProfile,
  copy: OpenClawProfile,
): boolean {
  if (!copy.refresh) return false;
  return refreshGenerationDigest(fenced.id, fenced.provider, copy.refresh) === fence.refreshDigest;
}

/**
 * A copy is provably fresher than the generation a fence claimed when it holds another refresh token
 * and either ranks above a copy of the fenced generation by the freshness order, or (no such copy
 * known) its access token was issued after the fence was written (`fenceAt`, the store's `updated_at`).
 * Anything less is no proof: an older generation is as spent as the fenced one.
 */
export function isProvablyFresherThanFence(
  fence: RefreshFence,
  fenced: OpenClawProfile,
  fenceAt: number | null,
  candidate: DatedCopy,
  fencedCopies: DatedCopy[],
): boolean {
  if (!candidate.profile.refresh || isFencedGeneration(fence, fenced, candidate.profile)) return false;
  if (fencedCopies.length > 0) return fencedCopies.every((f) => compareFreshness(candidate, f) > 0);
  const iat = readJwtClaims(candidate.profile.access)?.iat;
  return typeof iat === 'number' && fenceAt !== null && iat * 1000 > fenceAt;
}
