import type { Candidate, Failure, Skip } from './attempt.js';
import type { GatewayDeps } from './deps.js';
import type { Route } from './routing.js';

/**
 * Expands a route's targets into (target, profile) candidates in trying order. A target that cannot
 * be tried at all (no adapter, no profile, quota used up) is a skip: reported as such, never as a
 * fallback, except a conversation a pool moved off its used-up login (`moves`, reason `quota`).
 */
export async function expandCandidates(
  route: Route,
  deps: Pick<GatewayDeps, 'adapters' | 'picker' | 'profiles'>,
  conversation: string | null = null,
): Promise<{ candidates: Candidate[]; skipped: Skip[]; moves: Failure[] }> {
  const candidates: Candidate[] = [];
  const skipped: Skip[] = [];
  const moves: Failure[] = [];
  for (const target of route.targets) {
    const label = `${target.provider}/${target.model}`;
    const adapter = deps.adapters.get(target.provider);
    if (!adapter) {
      skipped.push({ label, detail: `no model adapter for ${target.provider}` });
      continue;
    }
    const plan = deps.picker.plan(target, await deps.profiles.forProvider(target.provider), conversation);
    const ids = plan.ids;
    for (const e of plan.exhausted) {
      const detail = `quota used up until ${new Date(e.until).toISOString()}`;
      if (plan.movedFrom?.profileId === e.profileId) {
        moves.push({
          label: `${label}@${e.profileId}`,
          profileId: e.profileId,
          reason: 'quota',
          detail,
          retryAfterMs: null,
        });
      } else skipped.push({ label: `${label}@${e.profileId}`, detail, retryAt: e.until });
    }
    if (ids.length === 0 && plan.exhausted.length === 0)
      skipped.push({ label, detail: `no ${target.provider} profile` });
    for (const profileId of ids)
      candidates.push({ target, profileId, adapter, label: `${label}@${profileId}` });
  }
  return { candidates, skipped, moves };
}
