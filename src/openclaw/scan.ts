import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, type Stats } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { hasSharedAuthStore, openOpenClawDb } from './sqlite-stores.js';
import type { FileProblem, LockFile, OpenClawEra, ScannedAgent, ScannedHome, StoreRef } from './types.js';

export const MAIN_AGENT = 'main';
const AGENT_DB = 'openclaw-agent.sqlite';
// `<file>.<why>.<ms>.bak` of every era, and 2026.8's `<file>.migrated-<iso>-<uuid>` migration archive.
const BACKUP = /^(auth-profiles|auth|auth-state|oauth)\.json\.(.*\.bak|migrated-[^/]+)$/;

export interface ScanOptions {
  /** Only this agent (`--agent ID`); the other agent dirs are not even listed. */
  agentId?: string;
  /** Whether the shared store is active, when the caller already knows (skips opening the shared DB). */
  sharedActive?: boolean;
}

/**
 * Everything clawkeep needs to know about one OpenClaw state dir, without opening any credential
 * document: agents, the store each one's runtime reads (its era), leftover and archived files, locks.
 * Symlinked agent dirs that leave the state dir are reported, never followed.
 */
export function scanOpenClawHome(dir: string, o: ScanOptions = {}): ScannedHome {
  const home: ScannedHome = {
    dir,
    agents: [],
    sharedDb: null,
    sharedActive: false,
    oauthJson: null,
    dirs: [],
    credentialFiles: [],
    problems: [],
  };
  const realDir = safeRealpath(dir) ?? dir;
  addDir(home, dir);
  const sharedDb = join(dir, 'state', 'openclaw.sqlite');
  let sharedActive = false;
  const leaves = (p: string) => leavesDir(home, p, realDir);
  if (existsSync(sharedDb) && !leaves(join(dir, 'state')) && !leaves(sharedDb)) {
    home.sharedDb = sharedDb;
    addDir(home, join(dir, 'state'));
    addSqliteFiles(home, sharedDb);
  }
  if (home.sharedDb && o.sharedActive !== undefined) {
    sharedActive = o.sharedActive;
  } else if (home.sharedDb) {
    const opened = openOpenClawDb(sharedDb, true);
    if (opened.ok) {
      try {
        sharedActive = hasSharedAuthStore(opened.db);
      } finally {
        opened.db.close();
      }
    } else {
      home.problems.push(opened.problem);
    }
  }
  home.sharedActive = sharedActive;
  const oauthJson = join(dir, 'credentials', 'oauth.json');
  if (existsSync(join(dir, 'credentials')) && !leaves(join(dir, 'credentials'))) {
    addDir(home, join(dir, 'credentials'));
    if (existsSync(oauthJson) && !leaves(oauthJson)) home.oauthJson = oauthJson;
  }
  const agentsDir = join(dir, 'agents');
  const ids = listAgentIds(home, agentsDir, realDir, o.agentId);
  if (sharedActive && !ids.includes(MAIN_AGENT)) ids.push(MAIN_AGENT);
  ids.sort();
  if (ids.length > 0) addDir(home, agentsDir);
  for (const id of ids) {
    if (o.agentId !== undefined && id !== o.agentId) continue;
    home.agents.push(scanAgent(home, id, join(agentsDir, id), sharedActive ? sharedDb : null, realDir));
  }
  return home;
}

function listAgentIds(home: ScannedHome, agentsDir: string, realDir: string, only?: string): string[] {
  let names: string[];
  try {
    names = only === undefined ? readdirSync(agentsDir) : existsSync(join(agentsDir, only)) ? [only] : [];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      home.problems.push({
        path: agentsDir,
        code: 'unreadable',
        message: `cannot list ${agentsDir}: ${err}`,
      });
    }
    return [];
  }
  const ids: string[] = [];
  for (const name of names) {
    const p = join(agentsDir, name);
    const st = safeLstat(p);
    if (!st) continue;
    if (st.isSymbolicLink()) {
      const target = safeRealpath(p);
      if (!target || !isInside(target, realDir)) {
        home.problems.push({
          path: p,
          code: 'symlink_outside',
          message: `${p} is a symlink to ${target ?? 'nowhere'}, outside the state dir; not followed`,
        });
        continue;
      }
    } else if (!st.isDirectory()) {
      continue;
    }
    ids.push(name);
  }
  return ids;
}

function scanAgent(
  home: ScannedHome,
  id: string,
  root: string,
  sharedDb: string | null,
  realDir: string,
): ScannedAgent {
  const dir = join(root, 'agent');
  const agent: ScannedAgent = { id, dir, era: 'none', primary: null, legacy: [], locks: [] };
  if (existsSync(root)) addDir(home, root);
  // A link out of the state dir is reported and never followed: no file behind it is read or written.
  const agentLeaves = existsSync(dir) && leavesDir(home, dir, realDir);
  const names = existsSync(dir) && !agentLeaves ? safeReaddir(home, dir) : [];
  for (const n of [...names]) {
    if (leavesDir(home, join(dir, n), realDir)) names.splice(names.indexOf(n), 1);
  }
  if (!agentLeaves && (names.length > 0 || existsSync(dir))) addDir(home, dir);
  const has = (n: string) => names.includes(n);
  const ref = (kind: 'json' | 'agent-sqlite', n: string): StoreRef => ({
    kind,
    path: join(dir, n),
    agentId: id,
  });
  const legacy = (format: 'auth-profiles' | 'auth-state' | 'auth-json', n: string): StoreRef => ({
    kind: 'legacy',
    format,
    path: join(dir, n),
    agentId: id,
  });
  if (sharedDb && id === MAIN_AGENT) {
    agent.era = 'shared-sqlite';
    agent.primary = { kind: 'shared-sqlite', path: sharedDb, agentId: id };
    if (has(AGENT_DB)) agent.legacy.push(ref('agent-sqlite', AGENT_DB));
  } else if (has(AGENT_DB)) {
    agent.era = 'agent-sqlite';
    agent.primary = ref('agent-sqlite', AGENT_DB);
  } else if (has('auth-profiles.json')) {
    agent.era = has('auth-state.json') ? 'json-split' : 'json-single';
    agent.primary = ref('json', 'auth-profiles.json');
  }
  if (has(AGENT_DB)) addSqliteFiles(home, join(dir, AGENT_DB));
  const primaryIsJson = agent.primary?.kind === 'json';
  for (const [n, format] of [
    ['auth-profiles.json', 'auth-profiles'],
    ['auth-state.json', 'auth-state'],
    ['auth.json', 'auth-json'],
  ] as const) {
    if (!has(n)) continue;
    home.credentialFiles.push(join(dir, n));
    // In the JSON eras these two files are the store itself, not leftovers.
    if (primaryIsJson && n !== 'auth.json') continue;
    agent.legacy.push(legacy(format, n));
  }
  for (const n of names.filter((x) => BACKUP.test(x)).sort()) {
    home.credentialFiles.push(join(dir, n));
    agent.legacy.push({ kind: 'legacy', format: 'backup', path: join(dir, n), agentId: id });
  }
  if (id === MAIN_AGENT && home.oauthJson) {
    agent.legacy.push({ kind: 'legacy', format: 'oauth-json', path: home.oauthJson, agentId: id });
    home.credentialFiles.push(home.oauthJson);
    for (const n of safeReaddir(home, join(home.dir, 'credentials'))
      .filter((x) => BACKUP.test(x))
      .sort()) {
      const p = join(home.dir, 'credentials', n);
      home.credentialFiles.push(p);
      agent.legacy.push({ kind: 'legacy', format: 'backup', path: p, agentId: id });
    }
  }
  const sessions = join(root, 'sessions');
  agent.locks = [
    ...names.filter((n) => n.endsWith('.lock')).map((n) => join(dir, n)),
    ...(existsSync(sessions) && !leavesDir(home, sessions, realDir) ? listLocks(home, sessions) : []),
  ]
    .map(readLock)
    .filter((l): l is LockFile => l !== null);
  return agent;
}

function listLocks(home: ScannedHome, sessions: string): string[] {
  if (!existsSync(sessions)) return [];
  return safeReaddir(home, sessions)
    .filter((n) => n.endsWith('.lock'))
    .sort()
    .map((n) => join(sessions, n));
}

/** Reads `{pid, createdAt}` of a lock file; directories and vanished files are skipped. */
export function readLock(path: string): LockFile | null {
  const st = safeLstat(path);
  if (!st?.isFile()) return null;
  let pid: number | null = null;
  let createdAt: number | null = null;
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; createdAt?: unknown };
    pid = typeof doc.pid === 'number' && Number.isInteger(doc.pid) && doc.pid > 0 ? doc.pid : null;
    const c = doc.createdAt;
    createdAt = typeof c === 'number' ? c : typeof c === 'string' ? Date.parse(c) || null : null;
  } catch {
    // Unparsable: judged by its mtime alone.
  }
  return { path, pid, createdAt, mtimeMs: Math.trunc(st.mtimeMs) };
}

/** The dirs already listed in each home (a Set beside `home.dirs`: `includes` made a scan quadratic). */
const listedDirs = new WeakMap<ScannedHome, Set<string>>();

function addDir(home: ScannedHome, d: string): void {
  let seen = listedDirs.get(home);
  if (!seen) {
    seen = new Set(home.dirs);
    listedDirs.set(home, seen);
  }
  if (seen.has(d)) return;
  seen.add(d);
  home.dirs.push(d);
}

function addSqliteFiles(home: ScannedHome, db: string): void {
  for (const p of [db, `${db}-wal`, `${db}-shm`]) if (existsSync(p)) home.credentialFiles.push(p);
}

function safeReaddir(home: ScannedHome, d: string): string[] {
  try {
    return readdirSync(d).sort();
  } catch (err) {
    const problem: FileProblem = { path: d, code: 'unreadable', message: `cannot list ${d}: ${err}` };
    home.problems.push(problem);
    return [];
  }
}

function safeLstat(p: string): Stats | null {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}

function safeRealpath(p: string): string | null {
  try {
    // One realpath(3) call; the JavaScript one lstats every component of every path.
    return realpathSync.native(p);
  } catch {
    return null;
  }
}

/**
 * True (and reported once as `symlink_outside`) when `p` is, or passes through, a link that resolves
 * outside the state dir. Such a path is never followed: nothing behind it is read, written or removed.
 */
function leavesDir(home: ScannedHome, p: string, realDir: string): boolean {
  const target = safeRealpath(p);
  if (target === null || isInside(target, realDir)) return false;
  if (!home.problems.some((x) => x.path === p && x.code === 'symlink_outside')) {
    home.problems.push({
      path: p,
      code: 'symlink_outside',
      message: `${p} leads to ${target}, outside the state dir; not followed`,
    });
  }
  return true;
}

function isInside(target: string, dir: string): boolean {
  const rel = relative(dir, target);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep);
}

/** Re-exported so callers can tell an era by its files alone. */
export function describeEra(era: OpenClawEra): string {
  return {
    'json-single': 'JSON (auth-profiles.json, ≤ 2026.3 layout)',
    'json-split': 'JSON split (auth-profiles.json + auth-state.json, 2026.4–2026.5)',
    'agent-sqlite': 'per-agent SQLite (openclaw-agent.sqlite, 2026.6–2026.7)',
    'shared-sqlite': 'shared SQLite (state/openclaw.sqlite, ≥ 2026.8)',
    none: 'no credential store',
  }[era];
}
