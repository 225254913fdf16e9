import type { Candidate, Skip } from './attempt.js';
import type { GatewayDeps } from './deps.js';
import type { Route } from './routing.js';

/**
 * Expands a route's targets into (target, profile) candidates in trying order. A target that cannot
 * be tried at all (no adapter, no profile) is a skip: reported as such, never as a fallback.
 */
export async function expandCandidates(
  route: Route,
  deps: Pick<GatewayDeps, 'adapters' | 'picker' | 'profiles'>,
): Promise<{ candidates: Candidate[]; skipped: Skip[] }> {
  const candidates: Candidate[] = [];
  const skipped: Skip[] = [];
  for (const target of route.targets) {
    const label = `${target.provider}/${target.model}`;
    const adapter = deps.adapters.get(target.provider);
    if (!adapter) {
      skipped.push({ label, detail: `no model adapter for ${target.provider}` });
      continue;
    }
    const ids = deps.picker.order(target, await deps.profiles.forProvider(target.provider));
    if (ids.length === 0) skipped.push({ label, detail: `no ${target.provider} profile` });
    for (const profileId of ids)
      candidates.push({ target, profileId, adapter, label: `${label}@${profileId}` });
  }
  return { candidates, skipped };
}
