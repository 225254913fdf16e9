import { mayServe, type PolicyClient, refusalDetail } from '../providers/serving-policy.js';
import type { Profile } from '../store/types.js';
import type { Candidate, Failure, Skip } from './attempt.js';
import type { GatewayDeps } from './deps.js';
import { type Route, strategyOf, type Target } from './routing.js';

/**
 * Expands a route's targets into (target, profile) candidates in trying order. A target that cannot
 * be tried at all (no adapter, no profile, quota used up, a login the client may not use) is a skip:
 * reported as such, never as a fallback, except a conversation a pool moved off its used-up login
 * (`moves`, reason `quota`). The serving policy runs first, so a pool never plans with a login the
 * client may not use.
 */
export async function expandCandidates(
  route: Route,
  deps: Pick<GatewayDeps, 'adapters' | 'picker' | 'profiles'>,
  client: PolicyClient,
  conversation: string | null = null,
): Promise<{ candidates: Candidate[]; skipped: Skip[]; moves: Failure[]; refused: Profile[] }> {
  const candidates: Candidate[] = [];
  const skipped: Skip[] = [];
  const moves: Failure[] = [];
  const refused: Profile[] = [];
  for (const wanted of route.targets) {
    const label = `${wanted.provider}/${wanted.model}`;
    const adapter = deps.adapters.get(wanted.provider);
    if (!adapter) {
      skipped.push({ label, detail: `no model adapter for ${wanted.provider}` });
      continue;
    }
    const available = await deps.profiles.forProvider(wanted.provider);
    const served = servedBy(wanted, available, deps.profiles, client);
    for (const p of served.refused) {
      refused.push(p);
      skipped.push({ label: `${label}@${p.id}`, detail: refusalDetail(p, client) });
    }
    const target = served.target;
    const plan = deps.picker.plan(target, served.available, conversation);
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
    if (ids.length === 0 && plan.exhausted.length === 0 && served.refused.length === 0)
      skipped.push({ label, detail: `no ${target.provider} profile` });
    for (const profileId of poolOrder(ids, target, deps.profiles))
      candidates.push({ target, profileId, adapter, label: `${label}@${profileId}` });
  }
  return { candidates, skipped, moves, refused };
}

/**
 * The order logins are tried in, after the pool planned. A login marked needs_reauth has left the
 * pool: tried only after every live one (a linked tool may have signed it in again, which the broker
 * adopts), never chosen while another can serve. In a quota-aware pool an API key, paid per token,
 * comes after the subscription logins, already paid for: it takes what they cannot.
 */
function poolOrder(
  ids: readonly string[],
  target: Target,
  profiles: Pick<GatewayDeps['profiles'], 'get'>,
): string[] {
  const pool = strategyOf(target, ids) === 'quota-aware';
  const rank = (id: string): number => {
    const p = profiles.get(id);
    if (p?.status === 'needs_reauth') return 2;
    return pool && p?.type === 'api_key' ? 1 : 0;
  };
  return [0, 1, 2].flatMap((r) => ids.filter((id) => rank(id) === r));
}

/** The target and its logins with those the client may not use taken out (pinned ones too). */
function servedBy(
  target: Target,
  available: readonly string[],
  profiles: Pick<GatewayDeps['profiles'], 'get'>,
  client: PolicyClient,
): { target: Target; available: string[]; refused: Profile[] } {
  const refused: Profile[] = [];
  const allowed = (id: string): boolean => {
    const p = profiles.get(id);
    if (!p || mayServe(p, client)) return true;
    if (!refused.includes(p)) refused.push(p);
    return false;
  };
  const pinned = target.profiles?.filter(allowed) ?? null;
  const open = target.profiles === null ? available.filter(allowed) : [...available];
  return { target: pinned === null ? target : { ...target, profiles: pinned }, available: open, refused };
}
