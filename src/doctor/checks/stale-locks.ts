import { unlinkSync } from 'node:fs';
import { readLock } from '../../openclaw/scan.js';
import type { LockFile } from '../../openclaw/types.js';
import { isPidDead } from '../../util/pid.js';
import type { Check, Finding } from '../types.js';
import { fixCommand } from '../util.js';

/** OpenClaw treats a lock as stale when its pid is dead or it is older than this. */
export const LOCK_STALE_MS = 30 * 60_000;

function staleReason(lock: LockFile, now: number): string | null {
  if (lock.pid !== null && isPidDead(lock.pid)) return `pid ${lock.pid} is dead`;
  const age = now - (lock.createdAt ?? lock.mtimeMs);
  if (age > LOCK_STALE_MS) return `${Math.round(age / 60_000)} min old`;
  return null;
}

/** `*.jsonl.lock` and other OpenClaw lock files whose owner is gone (clawkeep leases: clawkeep-store). */
export const staleLocksCheck: Check = {
  id: 'stale-locks',
  title: 'No stale lock files',
  run(ctx) {
    const now = ctx.now();
    const out: Finding[] = [];
    for (const view of ctx.agents()) {
      for (const lock of view.agent.locks) {
        const why = staleReason(lock, now);
        if (!why) continue;
        out.push({
          check: this.id,
          severity: 'warn',
          code: 'stale_lock',
          home: view.home.dir,
          agentId: view.agent.id,
          path: lock.path,
          message: `${lock.path} is stale (${why}); OpenClaw waits on it before touching that session`,
          next: fixCommand(ctx, view.home.dir),
          fix: `remove ${lock.path} after checking again that it is still stale`,
        });
      }
    }
    return out;
  },
  fix(ctx, finding) {
    const lock = finding.path ? readLock(finding.path) : null;
    if (!lock) return { status: 'unchanged', message: 'lock already gone' };
    const why = staleReason(lock, ctx.now());
    if (!why) return { status: 'skipped', message: `${lock.path} is held again; left alone` };
    try {
      unlinkSync(lock.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return { status: 'unchanged', message: 'lock already gone' };
      throw err;
    }
    return { status: 'fixed', message: `removed ${lock.path} (${why})` };
  },
};
