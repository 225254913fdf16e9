import { existsSync } from 'node:fs';
import { canonicalProfileId } from '../../openclaw/profile.js';
import { openOpenClawDb } from '../../openclaw/sqlite-stores.js';
import { readProfilesFrom } from '../../openclaw/store-io.js';
import type { Check, Finding } from '../types.js';
import { fixCommand } from '../util.js';

interface Receipt {
  sourceKey: string;
  sourcePath: string;
  archivePath: string;
}

/**
 * OpenClaw ≥ 2026.8 records each JSON → SQLite import as a receipt (`migration_sources`, kind
 * `auth-profile-json-to-sqlite-v2`, `report_json.archivePath`). 2026.8.1 could write a completed receipt
 * while the store received none of the credentials (openclaw#134608), after which its own doctor
 * refuses to import again. This check names that state; `split-store` re-imports from the archive.
 */
export const migrationReceiptsCheck: Check = {
  id: 'migration-receipts',
  title: 'OpenClaw migration receipts match the credentials in the store',
  run(ctx) {
    const out: Finding[] = [];
    for (const home of ctx.scans()) {
      if (!home.sharedDb) continue;
      for (const r of completedAuthReceipts(home.sharedDb)) {
        if (!existsSync(r.archivePath)) continue;
        const archived = readProfilesFrom({
          kind: 'legacy',
          format: 'backup',
          path: r.archivePath,
          agentId: '',
        });
        if (!archived.ok || archived.contents.profiles.length === 0) continue;
        const agent = home.agents.find((a) => r.sourcePath.startsWith(`${a.dir}/`));
        const stored = agent?.primary ? readProfilesFrom(agent.primary) : null;
        if (!stored?.ok) continue;
        const have = new Set(stored.contents.profiles.map((p) => canonicalProfileId(p.id)));
        const lost = archived.contents.profiles.filter((p) => !have.has(canonicalProfileId(p.id)));
        if (lost.length < archived.contents.profiles.length) continue;
        out.push({
          check: this.id,
          severity: 'error',
          code: 'receipt_without_credentials',
          home: home.dir,
          ...(agent ? { agentId: agent.id } : {}),
          path: r.archivePath,
          message: `OpenClaw's migration receipt ${r.sourceKey.slice(0, 40)} says ${r.sourcePath} was imported, but ${stored.contents.store.path} holds none of its ${lost.length} profile(s) (${lost.map((p) => p.id).join(', ')}); OpenClaw will not import it again (openclaw#134608). The archive still has them`,
          next: fixCommand(ctx, home.dir),
        });
      }
    }
    return out;
  },
};

function completedAuthReceipts(db: string): Receipt[] {
  const opened = openOpenClawDb(db, true);
  if (!opened.ok) return [];
  try {
    const has = opened.db
      .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migration_sources'`)
      .get();
    if (!has) return [];
    const rows = opened.db
      .prepare(
        `SELECT source_key AS k, source_path AS p, report_json AS r FROM migration_sources
         WHERE migration_kind = 'auth-profile-json-to-sqlite-v2' AND status = 'completed' ORDER BY source_key`,
      )
      .all() as Array<{ k: string; p: string; r: string }>;
    const out: Receipt[] = [];
    for (const row of rows) {
      try {
        const report = JSON.parse(row.r) as { archivePath?: unknown };
        if (typeof report.archivePath === 'string')
          out.push({ sourceKey: row.k, sourcePath: row.p, archivePath: report.archivePath });
      } catch {
        // A receipt OpenClaw itself could not read: not ours to judge.
      }
    }
    return out;
  } finally {
    opened.db.close();
  }
}
