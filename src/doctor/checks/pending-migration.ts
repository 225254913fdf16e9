import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { archiveLegacyFile } from '../../openclaw/archive.js';
import { profilesOfJsonDocument } from '../../openclaw/json-files.js';
import { legacyOAuthRef, sidecarPath } from '../../openclaw/oauth-sidecar.js';
import { canonicalProfileId } from '../../openclaw/profile.js';
import type { StoreRef } from '../../openclaw/types.js';
import { type Copy, collectCopies, isRepresented } from '../copies.js';
import type { Check, DoctorContext, Finding, FixResult } from '../types.js';
import { findView, fixCommand } from '../util.js';

const ARCHIVABLE = new Set(['auth-profiles', 'auth-json', 'oauth-json']);

/**
 * Legacy files next to a SQLite store: imported (every credential in them is in the store, or the
 * store's copy is fresher) then archived as `<file>.sqlite-import.<epochMs>.bak`. Runs after the
 * split-store fix, so a live token in a leftover file is in the store before the file is archived.
 */
export const pendingMigrationCheck: Check = {
  id: 'pending-migration',
  title: 'No legacy credential files next to a SQLite store',
  writesOpenClawStore: true,
  run(ctx) {
    const out: Finding[] = [];
    for (const view of ctx.agents()) {
      const primary = view.primary;
      if (!primary?.result.ok || primary.ref.kind === 'json') continue;
      for (const l of view.legacy) {
        if (!l.result.ok || l.ref.kind === 'json') continue;
        const base = {
          check: this.id,
          severity: 'warn' as const,
          code: 'pending_migration',
          home: view.home.dir,
          agentId: view.agent.id,
          path: l.ref.path,
        };
        if (l.ref.kind === 'agent-sqlite') {
          out.push({
            ...base,
            message: `${l.ref.path} is an older per-agent store next to the shared store ${primary.ref.path}; OpenClaw ≥ 2026.8 migrates it itself (clawkeep imports any fresher token from it first)`,
            next: `OPENCLAW_STATE_DIR=${view.home.dir} openclaw doctor --fix`,
          });
          continue;
        }
        if (l.ref.kind !== 'legacy' || l.ref.format === 'backup' || l.ref.format === 'oauth-sidecar')
          continue;
        if (!ARCHIVABLE.has(l.ref.format)) {
          out.push({
            ...base,
            message: `${l.ref.path} (runtime state: order, lastGood, usage) is still next to ${primary.ref.path}; it holds no credential, OpenClaw's own doctor imports it`,
            next: `OPENCLAW_STATE_DIR=${view.home.dir} openclaw doctor --fix`,
          });
          continue;
        }
        const n = l.result.contents.profiles.length;
        out.push({
          ...base,
          message: `${l.ref.path} (${n} profile${n === 1 ? '' : 's'}) is a leftover next to ${primary.ref.path}, which OpenClaw reads; a runtime still writing there diverges from the store`,
          next: fixCommand(ctx, view.home.dir),
          fix: `import what the store lacks, then archive it as ${l.ref.path}.sqlite-import.<epochMs>.bak`,
        });
      }
    }
    return out;
  },
  fix(ctx, finding) {
    return archiveIfImported(ctx, finding);
  },
};

function archiveIfImported(ctx: DoctorContext, finding: Finding): FixResult {
  const view = findView(ctx, finding);
  const legacy = view?.legacy.find((l) => l.ref.path === finding.path);
  if (!view?.primary?.result.ok || !legacy)
    return { status: 'skipped', message: 'nothing to archive any more' };
  const path = legacy.ref.path;
  // Hash and parse the same bytes: what is archived is exactly what was checked.
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return { status: 'skipped', message: `cannot read ${path}: ${(err as Error).message}` };
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  let profiles: ReturnType<typeof profilesOfJsonDocument>;
  try {
    profiles = profilesOfJsonDocument(
      JSON.parse(bytes.toString('utf8')),
      (legacy.ref as StoreRef & { kind: 'legacy' }).format,
    );
  } catch {
    return { status: 'skipped', message: `${path} is not valid JSON; left untouched` };
  }
  if (typeof profiles === 'string')
    return { status: 'skipped', message: `${path}: ${profiles}; left untouched` };
  const byKey = new Map(collectCopies(view).map((c) => [c.key, c.primary]));
  const now = ctx.now();
  const missing = profiles.filter((p) => {
    // A record whose tokens sit in an oauthRef sidecar is imported only once that sidecar's copy is.
    const ref = legacyOAuthRef(p);
    if (ref) {
      const path = sidecarPath(view.home.dir, ref);
      const sidecar = view.legacy.find((l) => l.ref.path === path);
      if (!sidecar?.result.ok) return true;
      const c = sidecar.result.contents;
      const inStore = byKey.get(canonicalProfileId(p.id)) ?? null;
      return c.profiles.some(
        (sp) => !isRepresented({ profile: sp, store: c.store, updatedAt: c.updatedAt }, inStore, now),
      );
    }
    const copy: Copy = {
      profile: p,
      store: legacy.ref,
      updatedAt: legacy.result.ok ? legacy.result.contents.updatedAt : null,
    };
    return !isRepresented(copy, byKey.get(canonicalProfileId(p.id)) ?? null, now);
  });
  if (missing.length > 0) {
    return {
      status: 'skipped',
      message: `not archived: ${view.primary.ref.path} does not hold ${missing.map((p) => p.id).join(', ')} yet`,
    };
  }
  const r = archiveLegacyFile(path, now, sha);
  return r.archived
    ? {
        status: 'fixed',
        message: `every credential of ${path} is in ${view.primary.ref.path}; archived as ${r.to}`,
      }
    : { status: 'skipped', message: r.reason };
}
