import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isPidDead } from '../util/pid.js';
import { readLock } from './scan.js';
import { openOpenClawDb } from './sqlite-stores.js';

/** OpenClaw's `OAUTH_REFRESH_LOCK_OPTIONS.stale` (2026.9): a refresh lock older than this is abandoned. */
const REFRESH_LOCK_STALE_MS = 180_000;
/** Other file locks (store and gateway locks of every era). */
const LOCK_STALE_MS = 30 * 60_000;
/** A lock with no pid (a proper-lockfile directory) counts as held while its mtime is this recent. */
const PIDLESS_FRESH_MS = 30_000;
/** An unfinished `migration_runs` row older than this is a crashed migration, not a running one. */
const MIGRATION_STALE_MS = 30 * 60_000;

/** One lock OpenClaw holds right now, and why clawkeep thinks so. */
export interface HeldLock {
  path: string;
  pid: number | null;
  why: string;
}

/**
 * The locks OpenClaw itself holds on a state dir right now: `locks/**` (its OAuth refresh locks
 * `locks/oauth-refresh/lock-<digest>.lock`, `{pid, createdAt}`), `*.lock` beside its stores. Session
 * locks (`sessions/*.jsonl.lock`) guard transcripts, not credentials, and are not listed.
 * clawkeep's own `.clawkeep-*` locks are not OpenClaw's.
 */
export function heldOpenClawLocks(home: string, now: number): HeldLock[] {
  const out: HeldLock[] = [];
  for (const path of lockPaths(home)) {
    const isRefresh = path.includes(`${join('locks', 'oauth-refresh')}`);
    const held = judgeLock(path, now, isRefresh ? REFRESH_LOCK_STALE_MS : LOCK_STALE_MS);
    if (held) out.push(held);
  }
  return out;
}

/** An unfinished migration in `state/openclaw.sqlite` (`migration_runs.finished_at IS NULL`), if any. */
export function runningMigration(home: string, now: number): string | null {
  const db = join(home, 'state', 'openclaw.sqlite');
  if (!existsSync(db)) return null;
  const opened = openOpenClawDb(db, true);
  if (!opened.ok) return null;
  try {
    const has = opened.db
      .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migration_runs'`)
      .get();
    if (!has) return null;
    const row = opened.db
      .prepare(
        'SELECT id FROM migration_runs WHERE finished_at IS NULL AND started_at > ? ORDER BY started_at DESC LIMIT 1',
      )
      .get(now - MIGRATION_STALE_MS) as { id: string } | undefined;
    return row ? `migration run ${row.id} in ${db} has not finished` : null;
  } catch {
    return null;
  } finally {
    opened.db.close();
  }
}

function judgeLock(path: string, now: number, staleMs: number): HeldLock | null {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch {
    return null;
  }
  if (st.isDirectory()) {
    const age = now - st.mtimeMs;
    return age < PIDLESS_FRESH_MS ? { path, pid: null, why: 'lock directory refreshed recently' } : null;
  }
  const lock = readLock(path);
  if (!lock) return null;
  const age = now - (lock.createdAt ?? lock.mtimeMs);
  if (age > staleMs) return null;
  if (lock.pid === null) {
    return now - lock.mtimeMs < PIDLESS_FRESH_MS ? { path, pid: null, why: 'recent lock without pid' } : null;
  }
  return isPidDead(lock.pid) ? null : { path, pid: lock.pid, why: `pid ${lock.pid} is alive` };
}

function lockPaths(home: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const n of list(dir)) {
      const p = join(dir, n);
      if (n.startsWith('.clawkeep')) continue;
      if (n.endsWith('.lock')) out.push(p);
      else if (depth > 0 && isDir(p)) walk(p, depth - 1);
    }
  };
  walk(join(home, 'locks'), 3);
  for (const n of list(join(home, 'state'))) if (n.endsWith('.lock')) out.push(join(home, 'state', n));
  for (const a of list(join(home, 'agents'))) {
    const dir = join(home, 'agents', a, 'agent');
    for (const n of list(dir)) if (n.endsWith('.lock') && !n.startsWith('.clawkeep')) out.push(join(dir, n));
  }
  return out.sort();
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}
