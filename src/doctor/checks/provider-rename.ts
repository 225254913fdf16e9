import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { openclawConfigPath } from '../../clients/openclaw.js';
import { formatJsonDocument } from '../../openclaw/json-files.js';
import { canonicalProfileId } from '../../openclaw/profile.js';
import { openOpenClawDb } from '../../openclaw/sqlite-stores.js';
import type { StoreRef } from '../../openclaw/types.js';
import { writeBackupFile } from '../../util/files.js';
import { readOpenClawConfig, rewriteOpenClawConfig } from '../config-rewrite.js';
import type { Check, DoctorContext, Finding, FixResult } from '../types.js';
import { fixCommand } from '../util.js';
import { fenceRecoveryCheck } from './fence-recovery.js';
import { renameInConfig, renameInStore } from './provider-rename-rules.js';
import { splitStoreCheck } from './split-store.js';

type Doc = Record<string, unknown>;
type SqliteRef = StoreRef & { kind: 'agent-sqlite' | 'shared-sqlite' };

/** The credential row and the state row (order, lastGood, usageStats) of each SQLite era. */
const ROWS = {
  'agent-sqlite': {
    table: 'auth_profile_store',
    store: `SELECT store_json AS json FROM auth_profile_store WHERE store_key = 'primary'`,
    state: `SELECT state_json AS json FROM auth_profile_state WHERE state_key = 'primary'`,
    stateTable: 'auth_profile_state',
    putStore: `UPDATE auth_profile_store SET store_json = ?, updated_at = ? WHERE store_key = 'primary'`,
    putState: `UPDATE auth_profile_state SET state_json = ?, updated_at = ? WHERE state_key = 'primary'`,
  },
  'shared-sqlite': {
    table: 'config_machine_state',
    store: `SELECT value_json AS json FROM config_machine_state WHERE state_key = 'authProfiles.store'`,
    state: `SELECT value_json AS json FROM config_machine_state WHERE state_key = 'authProfiles.state'`,
    stateTable: 'config_machine_state',
    putStore: `UPDATE config_machine_state SET value_json = ?, updated_at_ms = ? WHERE state_key = 'authProfiles.store'`,
    putState: `UPDATE config_machine_state SET value_json = ?, updated_at_ms = ? WHERE state_key = 'authProfiles.state'`,
  },
} as const;

/**
 * Stale `openai-codex` references after OpenClaw's provider rename (provider-rename-rules.ts): in the
 * stores its ≥ 2026.6 runtime reads (SQLite eras; the JSON eras predate the rename and are left as they
 * are) and in `openclaw.json` of a state dir that has such a store. The fix rewrites them the way
 * OpenClaw's own doctor does, keeping every credential (a collision gets a fresh id), after a backup;
 * store and state rows change in one transaction, the config by atomic replace with compare-and-set.
 */
export const providerRenameCheck: Check = {
  id: 'provider-rename',
  title: 'No stale openai-codex references after OpenClaw’s rename to openai',
  async run(ctx) {
    const out: Finding[] = [];
    let settles: Set<string> | null = null;
    for (const home of ctx.scans()) {
      // A sidecar clawkeep cannot open holds a copy only OpenClaw's doctor can import; renaming the ids
      // around it first would make that import a second profile. That state dir is OpenClaw's to fix.
      const locked = ctx
        .agents()
        .some(
          (v) =>
            v.home.dir === home.dir &&
            v.legacy.some((l) => !l.result.ok && l.result.problem.code === 'sidecar_locked'),
        );
      if (locked) continue;
      const maps = new Map<string, string>();
      const keep = new Set<string>();
      let renamedEra = false;
      const views = new Map(
        ctx
          .agents()
          .filter((v) => v.home.dir === home.dir)
          .map((v) => [v.agent.id, v]),
      );
      for (const agent of home.agents) {
        const ref = agent.primary;
        if (!ref || (ref.kind !== 'agent-sqlite' && ref.kind !== 'shared-sqlite')) continue;
        renamedEra = true;
        // The documents the diagnosis already read (one open per store); a store it could not use is read raw.
        const read = views.get(agent.id)?.primary?.result;
        const docs = read?.ok ? (read.contents.documents ?? null) : readDocs(ref);
        const plan = docs && renameInStore(docs.store, docs.state);
        if (!plan) continue;
        for (const [a, b] of plan.map) maps.set(a, b);
        for (const id of plan.kept.keys()) keep.add(id);
        const sidecars = [...plan.kept].filter(([, why]) => why === 'oauth_sidecar').map(([id]) => id);
        if (sidecars.length > 0)
          out.push({
            check: this.id,
            severity: 'warn',
            code: 'legacy_provider_sidecar',
            home: home.dir,
            agentId: agent.id,
            path: ref.path,
            message: `${sidecars.join(', ')} in ${ref.path} keep the retired openai-codex id: their tokens sit in an oauthRef sidecar, which only OpenClaw's own doctor moves along with the record`,
            next: `OPENCLAW_STATE_DIR=${home.dir} openclaw doctor --fix   # with OpenClaw's gateway stopped`,
          });
        // A record under a refresh fence keeps its id until the fence is settled. When this run settles it
        // (split-store or fence-recovery, which fix before this check), the rename follows in the same run.
        const fenced = [...plan.kept].filter(([, why]) => why === 'refresh_fence').map(([id]) => id);
        if (fenced.length > 0) settles ??= await settledThisRun(ctx);
        const follows = fenced.filter((id) =>
          settles?.has(`${home.dir}|${agent.id}|${canonicalProfileId(id)}`),
        );
        // Config refs to it follow too (the config fix re-reads the stores after this one's fix).
        for (const id of follows) {
          keep.delete(id);
          maps.set(id, canonicalProfileId(id));
        }
        if (plan.changes.length === 0 && follows.length === 0) continue;
        if (follows.length > 0) plan.changes.push(`${follows.join(', ')} once its refresh fence is settled`);
        out.push({
          check: this.id,
          severity: 'error',
          code: 'legacy_provider_id',
          home: home.dir,
          agentId: agent.id,
          path: ref.path,
          message: `${ref.path} still uses OpenClaw's retired provider id openai-codex (${plan.changes.join('; ')}); OpenClaw ≥ 2026.6 matches only openai profiles to openai/* models, so this login is not used`,
          next: fixCommand(ctx, home.dir),
          fix: `rename as OpenClaw's own doctor does (backup beside ${ref.path}), in one transaction`,
        });
      }
      if (!renamedEra) continue;
      const cfgPath = openclawConfigPath(home.dir);
      const cfg = readOpenClawConfig(cfgPath);
      if (cfg === null) continue;
      if (typeof cfg === 'string') {
        if (/openai-codex/i.test(cfg))
          out.push({
            check: this.id,
            severity: 'warn',
            code: 'legacy_provider_config',
            home: home.dir,
            path: cfgPath,
            message: `${cfgPath} mentions openai-codex but is not plain JSON (JSON5?); clawkeep does not rewrite it`,
            next: `OPENCLAW_STATE_DIR=${home.dir} openclaw doctor --fix   # with OpenClaw's gateway stopped`,
          });
        continue;
      }
      const plan = renameInConfig(cfg, maps, keep);
      if (!plan) continue;
      out.push({
        check: this.id,
        severity: 'error',
        code: 'legacy_provider_config',
        home: home.dir,
        path: cfgPath,
        message: `${cfgPath} still refers to the retired provider openai-codex (${plan.changes.join('; ')})`,
        next: fixCommand(ctx, home.dir),
        fix: `rewrite those refs to openai (backup ${cfgPath}.clawkeep-provider-rename.<ms>.bak)`,
      });
    }
    return out;
  },
  fix(ctx, finding) {
    return finding.code === 'legacy_provider_id' ? fixStore(ctx, finding) : fixConfig(ctx, finding);
  },
};

/** home|agent|profile of every fenced or split profile a fix of this run writes before this check's fixes. */
async function settledThisRun(ctx: DoctorContext): Promise<Set<string>> {
  const findings = [...(await splitStoreCheck.run(ctx)), ...(await fenceRecoveryCheck.run(ctx))];
  return new Set(
    findings
      .filter((f) => f.fix !== undefined && f.home && f.agentId && f.profileId)
      .map((f) => `${f.home}|${f.agentId}|${canonicalProfileId(f.profileId!)}`),
  );
}

function readDocs(ref: SqliteRef): { store: Doc; state: Doc | null } | null {
  const opened = openOpenClawDb(ref.path, true);
  if (!opened.ok) return null;
  try {
    return readRows(opened.db, ref);
  } finally {
    opened.db.close();
  }
}

function readRows(db: Database.Database, ref: SqliteRef): { store: Doc; state: Doc | null } | null {
  const rows = ROWS[ref.kind];
  const has = (t: string) =>
    Boolean(db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(t));
  if (!has(rows.table)) return null;
  const parse = (sql: string): Doc | null => {
    const row = db.prepare(sql).get() as { json: string } | undefined;
    if (!row) return null;
    try {
      const d = JSON.parse(row.json) as unknown;
      return d && typeof d === 'object' && !Array.isArray(d) ? (d as Doc) : null;
    } catch {
      return null; // unreadable: the files check reports it
    }
  };
  const store = parse(rows.store);
  if (!store) return null;
  return { store, state: has(rows.stateTable) ? parse(rows.state) : null };
}

function fixStore(ctx: DoctorContext, finding: Finding): FixResult {
  const view = finding.home && finding.agentId ? ctx.freshAgent(finding.home, finding.agentId) : null;
  const ref = view?.agent.primary;
  if (!ref || (ref.kind !== 'agent-sqlite' && ref.kind !== 'shared-sqlite'))
    return { status: 'skipped', message: 'the store OpenClaw reads changed; left alone' };
  const opened = openOpenClawDb(ref.path, false);
  if (!opened.ok) return { status: 'failed', message: opened.problem.message };
  const db = opened.db;
  const now = ctx.now();
  let result: FixResult = { status: 'unchanged', message: `${ref.path} has no openai-codex references left` };
  try {
    db.pragma('synchronous = FULL');
    db.transaction(() => {
      const docs = readRows(db, ref);
      const plan = docs && renameInStore(docs.store, docs.state);
      if (!docs || !plan || plan.changes.length === 0) return;
      // The previous documents, in OpenClaw's single-file format, before anything changes (nothing lost).
      const backup = writeBackupFile(
        join(dirname(ref.path), 'auth-profiles.json.clawkeep-provider-rename'),
        now,
        formatJsonDocument({ ...(docs.state ?? {}), ...docs.store }),
      );
      db.prepare(ROWS[ref.kind].putStore).run(JSON.stringify(plan.store), now);
      if (plan.state) db.prepare(ROWS[ref.kind].putState).run(JSON.stringify(plan.state), now);
      const back = readRows(db, ref);
      if (!back || (renameInStore(back.store, back.state)?.changes.length ?? 0) > 0)
        throw new Error(`read-back of ${ref.path} still shows openai-codex references`);
      result = {
        status: 'fixed',
        message: `renamed in ${ref.path}: ${plan.changes.join('; ')}; read back OK; previous documents kept in ${backup}`,
      };
    }).immediate();
  } finally {
    db.close();
  }
  return result;
}

async function fixConfig(ctx: DoctorContext, finding: Finding): Promise<FixResult> {
  const path = finding.path;
  if (!path || !finding.home) return { status: 'skipped', message: 'no config named' };
  const { map: maps, keep } = storeIdMap(ctx, finding.home);
  return rewriteOpenClawConfig(
    path,
    {
      tag: 'clawkeep-provider-rename',
      now: ctx.now(),
      nothingLeft: `${path} has no openai-codex references left`,
    },
    (doc) => renameInConfig(doc, maps, keep),
  );
}

/**
 * Old id → new id as the stores of a state dir have it, read now: what their rename chose (or will
 * choose), and `openai-codex:x` → `openai:x` for every `openai:x` they already hold.
 */
function storeIdMap(ctx: DoctorContext, home: string): { map: Map<string, string>; keep: Set<string> } {
  const map = new Map<string, string>();
  const keep = new Set<string>();
  for (const agent of ctx.scans().find((h) => h.dir === home)?.agents ?? []) {
    const ref = agent.primary;
    if (!ref || (ref.kind !== 'agent-sqlite' && ref.kind !== 'shared-sqlite')) continue;
    const docs = readDocs(ref);
    if (!docs) continue;
    const plan = renameInStore(docs.store, docs.state);
    for (const [a, b] of plan?.map ?? []) map.set(a, b);
    for (const id of plan?.kept.keys() ?? []) keep.add(id);
    const profiles = docs.store.profiles;
    if (profiles && typeof profiles === 'object')
      for (const id of Object.keys(profiles))
        if (id.startsWith('openai:') && !map.has(`openai-codex:${id.slice(7)}`))
          map.set(`openai-codex:${id.slice(7)}`, id);
  }
  return { map, keep };
}
