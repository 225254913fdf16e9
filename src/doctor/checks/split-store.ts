import { join } from 'node:path';
import { writeBackupFile } from '../../openclaw/archive.js';
import { formatJsonDocument } from '../../openclaw/json-files.js';
import { canonicalProfileId, compareFreshness, deadReason, sameTokens } from '../../openclaw/profile.js';
import { writeProfileTo } from '../../openclaw/store-io.js';
import { type Copy, collectCopies, freshestLive } from '../copies.js';
import { findTakeover } from '../takeovers.js';
import type { AgentView, Check, DoctorContext, Finding, FixResult } from '../types.js';
import { findView, fixCommand, tokenFp } from '../util.js';

/**
 * Split stores: a profile whose freshest live copy is not in the store OpenClaw reads (a leftover
 * `auth-profiles.json` the runtime still writes to, a backup holding the only live copy, an
 * older-era store). The fix writes that copy into the store OpenClaw reads and verifies it.
 */
export const splitStoreCheck: Check = {
  id: 'split-store',
  title: 'OpenClaw reads the freshest copy of every profile',
  writesOpenClawStore: true,
  run(ctx) {
    const out: Finding[] = [];
    for (const view of ctx.agents()) {
      if (view.primary && !view.primary.result.ok) continue;
      for (const copies of collectCopies(view)) {
        const f = judge(ctx, view, copies.primary, freshestLive(copies, ctx.now()), copies.others);
        if (f) out.push({ ...f, check: this.id });
      }
    }
    return out;
  },
  fix(ctx, finding) {
    return repair(ctx, finding);
  },
};

function judge(
  ctx: DoctorContext,
  view: AgentView,
  primary: Copy | null,
  best: Copy | null,
  others: Copy[],
): Omit<Finding, 'check'> | null {
  const now = ctx.now();
  const base = { home: view.home.dir, agentId: view.agent.id };
  if (primary && deadReason(primary.profile, now) === null) {
    const tie = others.find(
      (o) =>
        deadReason(o.profile, now) === null &&
        !sameTokens(o.profile, primary.profile) &&
        compareFreshness(o, primary) === 0,
    );
    if (tie && best === primary) {
      return {
        ...base,
        severity: 'warn',
        code: 'split_ambiguous',
        profileId: primary.profile.id,
        path: tie.store.path,
        fingerprints: { store: tokenFp(primary.profile), other: tokenFp(tie.profile) },
        message: `${primary.store.path} and ${tie.store.path} hold different tokens that the freshness order cannot rank (no JWT times, same expiry); left as is`,
        next: `openclaw models auth login --provider ${primary.profile.provider}   # if this profile starts failing`,
      };
    }
  }
  if (!best || best === primary || (primary && sameTokens(best.profile, primary.profile))) return null;
  const known = ctx.takeovers();
  const taken = primary || !known ? null : findTakeover(known, view.agent.dir, best.profile.id);
  if (taken) {
    return {
      ...base,
      severity: 'ok',
      code: 'taken_over',
      profileId: best.profile.id,
      message: `moved into clawkeep (${taken.profileId}) by \`import openclaw --move\`; OpenClaw reaches it through the clawkeep gateway, so its store is meant to lack it`,
    };
  }
  const fingerprints: Record<string, string> = { fresher: tokenFp(best.profile) };
  if (primary) fingerprints.store = tokenFp(primary.profile);
  const profileId = primary?.profile.id ?? best.profile.id;
  if (!view.primary) {
    return {
      ...base,
      severity: 'warn',
      code: 'no_store',
      profileId,
      path: best.store.path,
      fingerprints,
      message: `only ${best.store.path} holds this credential and OpenClaw has no store for agent ${view.agent.id} yet; OpenClaw imports it on its next start or doctor run`,
      next: `OPENCLAW_STATE_DIR=${view.home.dir} openclaw doctor --fix`,
    };
  }
  const reads = view.primary.ref.path;
  if (!primary && !known) {
    // `import openclaw --move` may have taken it over on purpose: writing it back would make two holders.
    return {
      ...base,
      severity: 'warn',
      code: 'missing_from_store',
      profileId,
      path: best.store.path,
      fingerprints,
      message: `OpenClaw reads ${reads}, which lacks this profile; ${best.store.path} holds it. clawkeep's store cannot be read, so whether \`import openclaw --move\` took it over is unknown: not repaired`,
      next: `${ctx.command} store status`,
    };
  }
  const inBackup = best.store.kind === 'legacy' && best.store.format === 'backup';
  const code = !primary ? 'missing_from_store' : inBackup ? 'live_copy_in_backup' : 'split_store';
  const what = !primary
    ? `OpenClaw reads ${reads}, which lacks this profile; ${best.store.path} holds it`
    : `OpenClaw reads ${reads} (refresh ${fingerprints.store}${deadReason(primary.profile, now) ? `, ${deadReason(primary.profile, now)}` : ', older'}) but ${best.store.path} holds a fresher copy (refresh ${fingerprints.fresher}): this split is the cause of \`401 refresh_token_reused\` (OpenClaw presents the spent refresh token)`;
  return {
    ...base,
    severity: primary ? 'error' : 'warn',
    code,
    profileId,
    path: best.store.path,
    fingerprints,
    message: what,
    next: fixCommand(ctx, view.home.dir),
    fix: `write the copy from ${best.store.path} into ${reads} in OpenClaw's format and read it back`,
  };
}

function repair(ctx: DoctorContext, finding: Finding): FixResult {
  const view = findView(ctx, finding);
  if (!view?.primary?.result.ok)
    return { status: 'skipped', message: 'store no longer readable; left alone' };
  const key = canonicalProfileId(finding.profileId ?? '');
  const copies = collectCopies(view).find((c) => c.key === key);
  const now = ctx.now();
  const best = copies ? freshestLive(copies, now) : null;
  const known = ctx.takeovers();
  if (copies && !copies.primary && (!known || findTakeover(known, view.agent.dir, key))) {
    return { status: 'skipped', message: 'taken over by clawkeep (import --move); not written back' };
  }
  if (!copies || !best || best === copies.primary) {
    return { status: 'unchanged', message: 'the store already holds the freshest copy' };
  }
  const storedAt = view.primary.result.contents.updatedAt;
  let backup: string | null = null;
  const outcome = writeProfileTo(view.primary.ref, best.profile, {
    now,
    // Compare-and-set inside the write: a copy OpenClaw rotated meanwhile is never overwritten.
    shouldReplace: (cur) =>
      !cur ||
      deadReason(cur, now) !== null ||
      compareFreshness(
        { profile: best.profile, updatedAt: best.updatedAt },
        { profile: cur, updatedAt: storedAt },
      ) > 0,
    // The replaced copy is most likely spent, but a doctor never deletes a credential: it is kept
    // beside the store in OpenClaw's store format (where the next diagnosis reads it too).
    onReplace: (cur) => {
      backup = writeBackupFile(
        join(view.agent.dir, 'auth-profiles.json.clawkeep-replaced'),
        now,
        formatJsonDocument({ version: 1, profiles: { [cur.id]: cur.raw } }),
      );
    },
  });
  if (outcome.kind === 'unchanged') {
    return {
      status: 'unchanged',
      message: `${view.primary.ref.path} already holds a copy at least as fresh`,
    };
  }
  return {
    status: 'fixed',
    message: `wrote ${outcome.id} (refresh ${tokenFp(best.profile)}) from ${best.store.path} into ${view.primary.ref.path}; read back OK${backup ? `; the replaced copy is kept in ${backup}` : ''}`,
  };
}
