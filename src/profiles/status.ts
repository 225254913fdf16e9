import { loginCommand } from '../broker/errors.js';
import { loginProviders } from '../login/callback-spec.js';
import { type ProfileView, viewProfile } from '../store/profile-view.js';
import type { LinkedSourceRef, Profile } from '../store/types.js';

/** A profile as `models status` and the dashboard show it: the listing view plus linked sources and the fix. */
export interface StatusRow extends ProfileView {
  linkedSources: { kind: string; location: string }[];
  fix: string | null;
}

export function describeStatus(p: Profile, links: LinkedSourceRef[], now: number): StatusRow {
  return {
    ...viewProfile(p, now),
    linkedSources: links
      .filter((l) => l.profileId === p.id)
      .map((l) => ({ kind: l.kind, location: l.location })),
    fix: fixCommand(p),
  };
}

/** The exact command that brings a profile back, or null when it is fine. */
export function fixCommand(p: Pick<Profile, 'id' | 'provider' | 'name' | 'type' | 'status'>): string | null {
  if (p.status === 'disabled') return `clawkeep profiles enable ${p.id}`;
  if (p.status !== 'needs_reauth') return null;
  if (loginProviders().includes(p.provider)) return loginCommand(p);
  return p.type === 'oauth'
    ? `clawkeep profiles add-oauth --provider ${p.provider} --name ${p.name} --force`
    : `clawkeep profiles add-key --provider ${p.provider} --name ${p.name} --force`;
}
