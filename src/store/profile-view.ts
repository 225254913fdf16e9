import { fingerprint } from '../util/fingerprint.js';
import type { Profile } from './types.js';

/** What listings show of a profile: fingerprints and times, never a token. */
export interface ProfileView {
  id: string;
  provider: string;
  name: string;
  type: Profile['type'];
  accountId: string | null;
  email: string | null;
  status: Profile['status'];
  statusReason: string | null;
  generation: number;
  accessFp: string;
  refreshFp: string;
  expires: number | null;
  expiresInSeconds: number | null;
  rotatedAt: number | null;
  lease: { owner: string; until: number } | null;
  updatedAt: number;
}

export function viewProfile(p: Profile, now: number): ProfileView {
  return {
    id: p.id,
    provider: p.provider,
    name: p.name,
    type: p.type,
    accountId: p.accountId,
    email: p.email,
    status: p.status,
    statusReason: p.statusReason,
    generation: p.generation,
    accessFp: fingerprint(p.access),
    refreshFp: fingerprint(p.refresh),
    expires: p.expires,
    expiresInSeconds: p.expires === null ? null : Math.round((p.expires - now) / 1000),
    rotatedAt: p.rotatedAt,
    lease:
      p.leaseOwner && p.leaseUntil && p.leaseUntil > now
        ? { owner: p.leaseOwner, until: p.leaseUntil }
        : null,
    updatedAt: p.updatedAt,
  };
}
