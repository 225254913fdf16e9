import { loginCommand } from '../broker/errors.js';
import type { QuotaView } from '../gateway/quota/view.js';
import { loginProviders } from '../login/callback-spec.js';
import { servesWhom } from '../providers/serving-policy.js';
import { type ProfileView, viewProfile } from '../store/profile-view.js';
import type { LinkedSourceRef, Profile } from '../store/types.js';
import { invokedAs } from '../util/invoked-as.js';

/** A profile as `models status` and the dashboard show it: the listing view plus linked sources and the fix. */
export interface StatusRow extends ProfileView {
  linkedSources: { kind: string; location: string }[];
  /** The login's quota windows as the gateway last read them (traffic headers or a usage poll); null before any. */
  quota: QuotaView | null;
  /** Whom the login serves (the serving policy): "every client", or the client kinds of a subscription. */
  serves: string;
  fix: string | null;
}

export function describeStatus(
  p: Profile,
  links: LinkedSourceRef[],
  now: number,
  /** Required: a caller that leaves it out shows no quota for a login that has one (the dashboard did). */
  quota: QuotaView | null,
): StatusRow {
  return {
    quota,
    ...viewProfile(p, now),
    linkedSources: links
      .filter((l) => l.profileId === p.id)
      .map((l) => ({ kind: l.kind, location: l.location })),
    serves: servesWhom(p),
    fix: fixCommand(p),
  };
}

/** The exact command that brings a profile back, or null when it is fine. */
export function fixCommand(p: Pick<Profile, 'id' | 'provider' | 'name' | 'type' | 'status'>): string | null {
  if (p.status === 'disabled') return `${invokedAs()} profiles enable ${p.id}`;
  if (p.status !== 'needs_reauth') return null;
  if (loginProviders().includes(p.provider)) return loginCommand(p);
  return p.type === 'oauth'
    ? `${invokedAs()} profiles add-oauth --provider ${p.provider} --name ${p.name} --force`
    : `${invokedAs()} profiles add-key --provider ${p.provider} --name ${p.name} --force`;
}
