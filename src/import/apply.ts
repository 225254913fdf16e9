import { ClawkeepError, isClawkeepError } from '../errors.js';
import { createLinkedSources } from '../linked/index.js';
import type { Profile, RotatedTokens, Store } from '../store/types.js';
import type { ImportPlan, PlanStep } from './types.js';

export interface ApplyResult {
  profiles: Profile[];
  /** Linked refs added (default) or archive lines (`--move`). */
  linked: number;
  archived: string[];
  /** Non-fatal trouble after the import committed (write-back to a stale copy, archiving). */
  warnings: string[];
}

/**
 * Carries out a plan, all or nothing: every store change is recorded with its undo, and the first
 * failure undoes what was done before it. After that the source is brought in step (linked) or
 * archived (`move`); trouble there is reported, never undoes the import.
 */
export async function applyImport(
  store: Store,
  plan: ImportPlan,
  o: { move: boolean; now?: number },
): Promise<ApplyResult> {
  const now = o.now ?? Date.now();
  const undo: Array<() => Promise<unknown>> = [];
  const profiles: Profile[] = [];
  let linked = 0;
  try {
    for (const step of plan.steps) {
      profiles.push(await applyStep(store, step, now, undo));
      if (!o.move) {
        for (const c of step.copies) {
          if (!c.link) continue;
          const ref = { profileId: step.profileId, ...c.link };
          const before = await store.listLinkedSources(step.profileId);
          if (before.some((r) => r.kind === ref.kind && r.location === ref.location)) continue;
          await store.addLinkedSource(ref, now);
          undo.push(() => store.removeLinkedSource(ref, now));
          linked++;
        }
      }
    }
  } catch (err) {
    for (const u of undo.reverse()) await u().catch(() => {});
    throw new ClawkeepError(
      isClawkeepError(err) ? err.code : 'source_invalid',
      `import from ${plan.source.title} failed and was rolled back, nothing imported: ${(err as Error).message}`,
      { cause: err },
    );
  }
  for (const step of plan.steps) {
    await store.appendEvent(
      {
        profileId: step.profileId,
        kind: 'imported',
        data: {
          source: plan.source.kind,
          file: step.chosen.file,
          action: step.action,
          copies: step.copies.length,
          move: o.move,
          // The record of a takeover (`--move`) or of a link: where the login sat, so the doctor can
          // tell a credential clawkeep took out of a tool on purpose from one that went missing.
          [o.move ? 'moved' : 'linked']: step.copies.flatMap((c) => (c.link ? [c.link] : [])),
        },
      },
      now,
    );
  }
  const warnings: string[] = [];
  const archived: string[] = [];
  if (o.move) {
    try {
      archived.push(
        ...(await plan.source.archive(
          plan.steps.flatMap((s) => s.copies),
          now,
        )),
      );
    } catch (err) {
      warnings.push(
        `imported, but archiving the source failed (it still holds a copy): ${(err as Error).message}`,
      );
    }
  } else {
    const sources = createLinkedSources(store);
    for (const p of profiles) {
      try {
        await sources.writeBack(p);
      } catch (err) {
        warnings.push((err as Error).message);
      }
    }
  }
  return { profiles, linked, archived, warnings };
}

async function applyStep(
  store: Store,
  step: PlanStep,
  now: number,
  undo: Array<() => Promise<unknown>>,
): Promise<Profile> {
  const c = step.chosen;
  const tokens: RotatedTokens = {
    access: c.access,
    refresh: c.refresh,
    expires: c.expires,
    issuedAt: c.issuedAt,
    accountId: c.accountId,
    email: c.email,
  };
  if (step.action === 'create') {
    const p = await store.insertProfile({ id: step.profileId, type: 'oauth', ...tokens }, now);
    undo.push(() => store.removeProfile(step.profileId, now));
    return p;
  }
  const existing = step.existing!;
  if (step.action === 'keep') {
    const current = await store.getProfile(existing.id);
    if (!current) throw new Error(`${existing.id} disappeared while importing`);
    return current;
  }
  const outcome = await store.adoptCredential(existing.id, existing.refresh, tokens, `import:${c.file}`, now);
  if (outcome.kind !== 'committed')
    throw new Error(`${existing.id} changed while importing; run the import again`);
  if (existing.access && existing.refresh && existing.expires !== null) {
    const previous: RotatedTokens = {
      access: existing.access,
      refresh: existing.refresh,
      expires: existing.expires,
      issuedAt: existing.issuedAt ?? now,
    };
    undo.push(() => store.adoptCredential(existing.id, c.refresh, previous, 'import-rollback', now));
  }
  return outcome.profile;
}
