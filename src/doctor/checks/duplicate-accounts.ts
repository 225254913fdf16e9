import { createHash } from 'node:crypto';
import { openclawLocation } from '../../linked/openclaw-agent.js';
import { compareFreshness, holdsLiveCredential, providerFamily, sameTokens } from '../../openclaw/profile.js';
import type { OpenClawProfile } from '../../openclaw/types.js';
import { fingerprint } from '../../util/fingerprint.js';
import type { Check, Finding } from '../types.js';

interface Holder {
  label: string;
  /** For OpenClaw holders: the clawkeep profile this copy is a linked source of, if any. */
  linkedTo?: string | null;
  home?: string;
  agentId?: string;
  profileId: string;
  family: string;
  accountId: string | null;
  email: string | null;
  refresh: string | null;
  copy: { profile: OpenClawProfile; updatedAt: number | null };
}

/**
 * One account (same accountId or email within a provider family, or a byte-identical refresh token)
 * held by several agents or stores: each rotation by one spends the others' refresh token.
 */
export const duplicateAccountsCheck: Check = {
  id: 'duplicate-accounts',
  title: 'Each account is held by one store',
  run(ctx) {
    const now = ctx.now();
    const holders: Holder[] = [];
    const store = ctx.clawkeepStore();
    const linked = new Map<string, string>();
    if (store.kind === 'ok') {
      for (const l of store.inspection.links ?? [])
        if (l.kind === 'openclaw-agent') linked.set(l.location, l.profileId);
    }
    for (const view of ctx.agents()) {
      if (!view.primary?.result.ok) continue;
      const c = view.primary.result.contents;
      for (const p of c.profiles) {
        if (p.type !== 'oauth' || !holdsLiveCredential(p, now)) continue;
        holders.push({
          label: `agent ${view.agent.id} (${view.home.dir})`,
          linkedTo: linked.get(openclawLocation(view.agent.dir, p.id)) ?? null,
          home: view.home.dir,
          agentId: view.agent.id,
          profileId: p.id,
          family: providerFamily(p.provider),
          accountId: p.accountId,
          email: p.email?.toLowerCase() ?? null,
          refresh: p.refresh,
          copy: { profile: p, updatedAt: c.updatedAt },
        });
      }
    }
    if (store.kind === 'ok') {
      for (const p of store.inspection.profiles ?? []) {
        if (p.type !== 'oauth' || p.status !== 'ok') continue;
        const profile: OpenClawProfile = {
          id: p.id,
          type: 'oauth',
          provider: p.provider,
          access: p.access,
          refresh: p.refresh,
          expires: p.expires,
          accountId: p.accountId,
          email: p.email,
          secret: null,
          raw: {},
        };
        holders.push({
          label: 'clawkeep',
          profileId: p.id,
          family: providerFamily(p.provider),
          accountId: p.accountId,
          email: p.email?.toLowerCase() ?? null,
          refresh: p.refresh,
          copy: { profile, updatedAt: p.updatedAt },
        });
      }
    }
    const out: Finding[] = [];
    for (const all of groupByAccount(holders)) {
      // A copy clawkeep keeps in step (a linked source of a clawkeep profile in this group) is intended.
      const ours = new Set(all.filter((h) => h.label === 'clawkeep').map((h) => h.profileId));
      const group = all.filter((h) => !(h.linkedTo && ours.has(h.linkedTo)));
      const labels = new Set(group.map((h) => h.label));
      if (labels.size < 2) continue;
      const first = group[0]!;
      const who = first.accountId ?? first.email ?? `refresh ${fingerprint(first.refresh)}`;
      out.push({
        check: this.id,
        severity: 'warn',
        code: 'duplicate_account',
        ...(first.home ? { home: first.home } : {}),
        ...(first.agentId ? { agentId: first.agentId } : {}),
        profileId: first.profileId,
        fingerprints: Object.fromEntries(
          group.map((h) => [`${h.label} ${h.profileId}`, fingerprint(h.refresh)]),
        ),
        message: `one ${first.family} account (${who}) is held by ${labels.size} stores: ${group
          .map((h) => `${h.label} ${h.profileId}`)
          .join(', ')}; they rotate each other's token out. ${freshestNote(group)}`,
        next: `${ctx.command} import openclaw${first.home ? ` --openclaw-home ${first.home}` : ''}   # one store, one broker`,
      });
    }
    return out;
  },
};

/** Names the freshest copy, or says the copies are one token (no copy is fresher than another). */
function freshestNote(group: Holder[]): string {
  const first = group[0]!;
  if (group.every((h) => sameTokens(h.copy.profile, first.copy.profile))) {
    return 'Every copy holds the same token (none is fresher); whichever rotates first spends it for the others';
  }
  let freshest = first;
  for (const h of group) if (compareFreshness(h.copy, freshest.copy) > 0) freshest = h;
  const tied = group.filter((h) => h !== freshest && compareFreshness(h.copy, freshest.copy) === 0);
  if (tied.length > 0) return 'The copies differ but the freshness order cannot rank them';
  return `Freshest: ${freshest.label} ${freshest.profileId}`;
}

/** Union of holders sharing any identity key; groups in first-seen order. */
function groupByAccount(holders: Holder[]): Holder[][] {
  const parent = holders.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const firstByKey = new Map<string, number>();
  holders.forEach((h, i) => {
    const keys = [
      h.accountId && `acct:${h.family}:${h.accountId}`,
      h.email && `email:${h.family}:${h.email}`,
      h.refresh && `refresh:${createHash('sha256').update(h.refresh).digest('hex')}`,
    ].filter((k): k is string => Boolean(k));
    for (const k of keys) {
      const j = firstByKey.get(k);
      if (j === undefined) firstByKey.set(k, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, Holder[]>();
  holders.forEach((h, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), h]);
  });
  return [...groups.values()];
}
