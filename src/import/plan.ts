import { compareFreshness, pickFreshest } from '../broker/freshness.js';
import { ClawkeepError } from '../errors.js';
import { sameAccount } from '../linked/account.js';
import { formatProfileId } from '../store/profile-id.js';
import type { Profile, Store } from '../store/types.js';
import type { ImportCopy, ImportPlan, ImportSource, PlanStep } from './types.js';

/**
 * Groups the source's copies by account, keeps the freshest of each (DESIGN freshness order), and
 * decides per account: create a profile, update the one holding that account (the copy is fresher),
 * or keep clawkeep's (it is as fresh or fresher). Reads the store; writes nothing.
 */
export async function planImport(
  store: Store,
  source: ImportSource,
  o: { name?: string } = {},
): Promise<ImportPlan> {
  const profiles = await store.listProfiles();
  const groups = groupByAccount(source.copies);
  const creates = new Map<string, number>();
  for (const g of groups) {
    if (!findExisting(profiles, g)) creates.set(g[0]!.provider, (creates.get(g[0]!.provider) ?? 0) + 1);
  }
  if (o.name !== undefined && [...creates.values()].some((n) => n > 1)) {
    throw new ClawkeepError(
      'usage',
      `${source.title} holds several new accounts of one provider; --name can name only one. Import without --name`,
    );
  }
  const taken = new Set(profiles.map((p) => p.id));
  const steps: PlanStep[] = [];
  for (const copies of groups) {
    const chosen = pickFreshest(copies)!;
    const existing = findExisting(profiles, copies);
    const account =
      chosen.email ?? chosen.accountId ?? existing?.email ?? existing?.accountId ?? 'unknown account';
    const base = { provider: chosen.provider, account, chosen, copies, existing };
    const dupes = copies.length > 1 ? ` (freshest of ${copies.length} copies)` : '';
    if (!existing) {
      const profileId = pickId(chosen, source.kind, o.name, taken);
      taken.add(profileId);
      steps.push({ ...base, action: 'create', profileId, why: `new account${dupes}` });
      continue;
    }
    const cmp = compareFreshness(chosen, existing);
    const changed = chosen.refresh !== existing.refresh;
    if (changed && (cmp > 0 || (cmp === 0 && existing.status === 'needs_reauth'))) {
      const why =
        existing.status === 'needs_reauth'
          ? 'clawkeep needs re-auth; the source holds a newer login'
          : 'the source copy is fresher';
      steps.push({ ...base, action: 'update', profileId: existing.id, why: `${why}${dupes}` });
    } else {
      const why = changed
        ? "clawkeep's copy is fresher; the source will be brought in step"
        : 'already the same tokens';
      steps.push({ ...base, action: 'keep', profileId: existing.id, why });
    }
  }
  return { source, steps };
}

/** Copies of one account: same provider and account id / email; unidentified ones by refresh token. */
function groupByAccount(copies: ImportCopy[]): ImportCopy[][] {
  const groups = new Map<string, ImportCopy[]>();
  for (const c of copies) {
    const who = c.accountId
      ? `id:${c.accountId}`
      : c.email
        ? `email:${c.email.toLowerCase()}`
        : `rt:${c.refresh}`;
    const key = `${c.provider}|${who}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()];
}

/** The stored profile of this account (or holding one of these very tokens), if any. */
function findExisting(profiles: Profile[], copies: ImportCopy[]): Profile | null {
  const c = copies[0]!;
  const refreshes = new Set(copies.map((x) => x.refresh));
  return (
    profiles.find(
      (p) =>
        p.provider === c.provider &&
        p.type === 'oauth' &&
        (sameAccount(p, c) === true || (p.refresh !== null && refreshes.has(p.refresh))),
    ) ?? null
  );
}

function pickId(c: ImportCopy, kind: string, name: string | undefined, taken: Set<string>): string {
  if (name !== undefined) {
    const id = formatProfileId(c.provider, name);
    if (taken.has(id)) {
      throw new ClawkeepError('profile_exists', `${id} already holds another account; pick another --name`, {
        details: { id },
      });
    }
    return id;
  }
  for (const candidate of [c.suggestedName, 'default', kind].filter((n): n is string => Boolean(n))) {
    const id = formatProfileId(c.provider, candidate);
    if (!taken.has(id)) return id;
  }
  for (let i = 2; ; i++) {
    const id = formatProfileId(c.provider, `${kind}-${i}`);
    if (!taken.has(id)) return id;
  }
}
