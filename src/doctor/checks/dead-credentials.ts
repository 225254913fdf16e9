import { deadReason, holdsLiveCredential, providerFamily } from '../../openclaw/profile.js';
import type { OpenClawProfile } from '../../openclaw/types.js';
import type { Profile } from '../../store/types.js';
import { fingerprint } from '../../util/fingerprint.js';
import { collectCopies, freshestLive } from '../copies.js';
import type { Check, DoctorContext, Finding } from '../types.js';

const FENCE = 'openclaw-oauth-refresh-fence:';

interface LiveHolder {
  where: string;
  family: string;
  accountId: string | null;
  email: string | null;
  refresh: string | null;
}

/**
 * Dead credentials (`needs_reauth`, fence markers, expired access with no refresh). Re-auth is
 * required only when no copy anywhere holds a live token; otherwise the finding names the live copy.
 */
export const deadCredentialsCheck: Check = {
  id: 'dead-credentials',
  title: 'Every credential can still be used or refreshed',
  run(ctx) {
    const now = ctx.now();
    const live = liveHolders(ctx);
    const out: Finding[] = [];
    for (const view of ctx.agents()) {
      for (const copies of collectCopies(view)) {
        const p = copies.primary?.profile;
        if (p?.type !== 'oauth') continue;
        const reason = deadReason(p, now);
        // A live copy around the same agent is the split-store check's business.
        if (!reason || freshestLive(copies, now)) continue;
        const where = `${view.home.dir} agent ${view.agent.id}`;
        const elsewhere = findLive(live, providerFamily(p.provider), p.accountId, p.email, p.refresh, where);
        const base = {
          check: this.id,
          home: view.home.dir,
          agentId: view.agent.id,
          profileId: p.id,
          path: copies.primary?.store.path,
          fingerprints: { access: fingerprint(p.access), refresh: fingerprint(p.refresh) },
        };
        out.push(
          elsewhere
            ? {
                ...base,
                severity: 'warn',
                code: 'live_copy_elsewhere',
                message: `dead here [${reason}], but ${elsewhere.where} holds a live copy of this account (refresh ${fingerprint(elsewhere.refresh)})`,
                next: `${ctx.command} import openclaw --openclaw-home ${view.home.dir}`,
              }
            : {
                ...base,
                severity: 'error',
                code: reason,
                message: `re-auth required [${reason}]: no copy anywhere holds a live token`,
                next: `OPENCLAW_STATE_DIR=${view.home.dir} openclaw models auth login --provider ${p.provider}`,
              },
        );
      }
    }
    const store = ctx.clawkeepStore();
    if (store.kind === 'ok') {
      for (const p of store.inspection.profiles ?? []) {
        const reason = clawkeepDeadReason(p, now);
        if (!reason) continue;
        const elsewhere = findLive(
          live,
          providerFamily(p.provider),
          p.accountId,
          p.email,
          p.refresh,
          'clawkeep',
        );
        const base = {
          check: this.id,
          profileId: p.id,
          path: store.path,
          fingerprints: { access: fingerprint(p.access), refresh: fingerprint(p.refresh) },
        };
        out.push(
          elsewhere
            ? {
                ...base,
                severity: 'warn',
                code: 'live_copy_elsewhere',
                message: `clawkeep holds it as ${reason}, but ${elsewhere.where} holds a live copy of this account (refresh ${fingerprint(elsewhere.refresh)})`,
                next: `${ctx.command} import openclaw`,
              }
            : {
                ...base,
                severity: 'error',
                code: reason,
                message: `re-auth required [${reason}]: no copy anywhere holds a live token`,
                next: `${ctx.command} models auth login --provider ${p.provider} --name ${p.name}`,
              },
        );
      }
    }
    return out;
  },
};

function clawkeepDeadReason(p: Profile, now: number): string | null {
  if (p.status === 'needs_reauth') return p.statusReason ?? 'needs_reauth';
  if (p.type !== 'oauth' || p.status === 'disabled') return null;
  if (p.refresh?.startsWith(FENCE) || p.access?.startsWith(FENCE)) return 'refresh_fence';
  if (!p.refresh && (p.expires ?? 0) <= now) return 'no_refresh_token';
  return null;
}

function liveHolders(ctx: DoctorContext): LiveHolder[] {
  const now = ctx.now();
  const out: LiveHolder[] = [];
  const add = (where: string, p: OpenClawProfile) => {
    if (p.type !== 'oauth' || !holdsLiveCredential(p, now)) return;
    out.push({
      where,
      family: providerFamily(p.provider),
      accountId: p.accountId,
      email: p.email,
      refresh: p.refresh,
    });
  };
  for (const view of ctx.agents()) {
    const where = `${view.home.dir} agent ${view.agent.id}`;
    if (view.primary?.result.ok) for (const p of view.primary.result.contents.profiles) add(where, p);
    for (const l of view.legacy)
      if (l.result.ok) for (const p of l.result.contents.profiles) add(`${l.ref.path}`, p);
  }
  const store = ctx.clawkeepStore();
  if (store.kind === 'ok') {
    for (const p of store.inspection.profiles ?? []) {
      if (p.type !== 'oauth' || clawkeepDeadReason(p, now)) continue;
      out.push({
        where: 'clawkeep',
        family: providerFamily(p.provider),
        accountId: p.accountId,
        email: p.email,
        refresh: p.refresh,
      });
    }
  }
  return out;
}

function findLive(
  live: LiveHolder[],
  family: string,
  accountId: string | null,
  email: string | null,
  spentRefresh: string | null,
  notWhere: string,
): LiveHolder | null {
  return (
    live.find(
      (h) =>
        h.where !== notWhere &&
        h.family === family &&
        h.refresh !== spentRefresh &&
        ((accountId !== null && h.accountId === accountId) ||
          (email !== null && h.email?.toLowerCase() === email.toLowerCase())),
    ) ?? null
  );
}
