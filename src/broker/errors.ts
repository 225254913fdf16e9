import { ClawkeepError } from '../errors.js';
import type { Profile } from '../store/types.js';
import { invokedAs } from '../util/invoked-as.js';

export function loginCommand(p: Pick<Profile, 'provider' | 'name'>): string {
  return `${invokedAs()} models auth login --provider ${p.provider} --name ${p.name}`;
}

export function reauthError(p: Profile, reason: string | null): ClawkeepError {
  return new ClawkeepError(
    'reauth_required',
    `profile ${p.id} needs re-authentication (${reason ?? 'unknown'}). Run: ${loginCommand(p)}`,
    { details: { profileId: p.id, reason, fix: loginCommand(p) } },
  );
}
