import { lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isPidAlive } from '../util/pid.js';

/**
 * Files a crashed clawkeep process leaves behind: `<file>.tmp-<pid>-<hex>` (a private temp file of an
 * atomic write, possibly holding a credential), `gateway.pid.<pid>.tmp` and `gateway.pid.stale.<ms>`
 * (a pid record moved aside). The finished write they belonged to either happened or never did.
 */
export interface Leftover {
  path: string;
  kind: 'temp_file' | 'stale_pidfile';
  pid: number | null;
  mtimeMs: number;
}

const PATTERNS: ReadonlyArray<{ re: RegExp; kind: Leftover['kind'] }> = [
  { re: /\.tmp-(\d+)-[0-9a-f]+$/, kind: 'temp_file' },
  { re: /^gateway\.pid\.(\d+)\.tmp$/, kind: 'stale_pidfile' },
  // The stamp of a moved-aside pid record is a time, not a pid.
  { re: /^gateway\.pid\.stale\.(?:\d+)$/, kind: 'stale_pidfile' },
];

/** The leftover a file name is, with the pid that wrote it when the name carries one; null otherwise. */
export function matchLeftover(name: string): { kind: Leftover['kind']; pid: number | null } | null {
  for (const { re, kind } of PATTERNS) {
    const m = re.exec(name);
    if (m) return { kind, pid: m[1] === undefined ? null : Number(m[1]) };
  }
  return null;
}

/** A writer finishes in milliseconds: this old, a leftover is abandoned even if its pid was reused. */
const ABANDONED_MS = 60 * 60_000;
/** Younger than this, a leftover may still be in use by a process elsewhere (another container). */
const SETTLE_MS = 60_000;

/** Safe to remove: the writer is gone (pid dead here) and a minute passed, or it is an hour old. */
export function isAbandoned(l: Leftover, now: number, pidAlive: (pid: number) => boolean): boolean {
  const age = now - l.mtimeMs;
  if (age > ABANDONED_MS) return true;
  if (age < SETTLE_MS) return false;
  return l.pid === null || (l.pid !== process.pid && !pidAlive(l.pid));
}

/** Leftovers directly in each dir (regular files only: a symlink is never followed or removed). */
export function findLeftovers(dirs: readonly string[]): Leftover[] {
  const out: Leftover[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      // A linked dir may lead anywhere: never list (and so never remove) through it.
      if (lstatSync(dir).isSymbolicLink()) continue;
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const m = matchLeftover(name);
      if (!m) continue;
      const path = join(dir, name);
      try {
        const st = lstatSync(path);
        if (st.isFile()) out.push({ path, kind: m.kind, pid: m.pid, mtimeMs: st.mtimeMs });
      } catch {
        // Gone meanwhile.
      }
    }
  }
  return out;
}

/** Removes the abandoned leftovers of a clawkeep home (and its backups); returns what it removed. */
export function sweepLeftovers(home: string, now = Date.now()): string[] {
  const removed: string[] = [];
  for (const l of findLeftovers([home, join(home, 'backups')])) {
    if (!isAbandoned(l, now, isPidAlive)) continue;
    try {
      unlinkSync(l.path);
      removed.push(l.path);
    } catch {
      // Not ours to fight over: the doctor reports what is left.
    }
  }
  return removed;
}
