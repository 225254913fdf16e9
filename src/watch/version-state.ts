import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { openOpenClawDb } from '../openclaw/sqlite-stores.js';

/**
 * What identifies the OpenClaw version a state dir is at: the installed package's version, each
 * store's schema (`PRAGMA user_version`, `schema_meta`), and the migration receipts (the state DB's
 * `migration_runs`, `*.openai-provider-unification.*.bak`). A change of any of them is a transition.
 */
export interface VersionState {
  packageVersion: string | null;
  stores: Record<string, string>;
  receipts: string[];
}

/** Stable text of a version state (for comparing and for the marker file). */
export function versionKey(v: VersionState): string {
  return createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 16);
}

/** One-line description for logs and events (no paths of the state dir). */
export function describeVersion(v: VersionState): string {
  const schemas = [...new Set(Object.values(v.stores))].sort().join(', ');
  return `openclaw ${v.packageVersion ?? '?'}; stores ${schemas || 'none'}; ${v.receipts.length} receipt(s)`;
}

export function readVersionState(home: string, packageDirs: string[]): VersionState {
  const stores: Record<string, string> = {};
  const receipts: string[] = [];
  const shared = join(home, 'state', 'openclaw.sqlite');
  if (existsSync(shared)) {
    stores['state/openclaw.sqlite'] = schemaOf(shared, receipts);
  }
  for (const agent of list(join(home, 'agents')).sort()) {
    const dir = join(home, 'agents', agent, 'agent');
    const names = list(dir);
    if (names.includes('openclaw-agent.sqlite'))
      stores[`agents/${agent}/openclaw-agent.sqlite`] = schemaOf(
        join(dir, 'openclaw-agent.sqlite'),
        receipts,
      );
    else if (names.includes('auth-profiles.json')) stores[`agents/${agent}/auth-profiles.json`] = 'json';
    for (const n of names.sort()) if (/\.openai-provider-unification\.\d+\.bak$/.test(n)) receipts.push(n);
  }
  return { packageVersion: installedVersion(packageDirs), stores, receipts };
}

function schemaOf(path: string, receipts: string[]): string {
  const opened = openOpenClawDb(path, true);
  if (!opened.ok) return 'unreadable';
  const db = opened.db;
  try {
    const user = db.pragma('user_version', { simple: true }) as number;
    const has = (t: string) =>
      Boolean(db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(t));
    let meta = '';
    if (has('schema_meta')) {
      const row = db
        .prepare(`SELECT schema_version AS v, app_version AS app FROM schema_meta LIMIT 1`)
        .get() as { v: number; app: string | null } | undefined;
      if (row) meta = ` schema ${row.v}${row.app ? ` app ${row.app}` : ''}`;
    }
    if (has('migration_runs')) {
      const rows = db
        .prepare('SELECT id, status, finished_at AS f FROM migration_runs ORDER BY started_at, id')
        .all() as Array<{ id: string; status: string; f: number | null }>;
      for (const r of rows) receipts.push(`${r.id}:${r.status}:${r.f === null ? 'running' : 'done'}`);
    }
    return `v${user}${meta}`;
  } catch {
    return 'unreadable';
  } finally {
    db.close();
  }
}

/** The version of the first OpenClaw package found: the given dirs, else `openclaw` on $PATH. */
export function installedVersion(packageDirs: string[], env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = packageDirs.length > 0 ? packageDirs : packageFromPath(env);
  for (const d of dirs) {
    try {
      const pkg = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { version?: unknown };
      if (typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not installed there (any more): try the next.
    }
  }
  return null;
}

function packageFromPath(env: NodeJS.ProcessEnv): string[] {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const bin = join(dir, 'openclaw');
    if (!existsSync(bin)) continue;
    try {
      // npm links bin/openclaw → ../lib/node_modules/openclaw/openclaw.mjs.
      let d = dirname(realpathSync(bin));
      for (let i = 0; i < 4; i++, d = dirname(d)) if (existsSync(join(d, 'package.json'))) return [d];
    } catch {
      // A dangling link: no installed package.
    }
  }
  return [];
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
