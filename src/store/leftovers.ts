import { lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isPidAlive } from '../util/pid.js';
import { pendingRotationsDir } from './rotation-journal.js';

/**
 * Files a crashed clawkeep process leaves behind: `<file>[.clawkeep].tmp-<pid>-<hex>` (a private temp file of an
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

/**
 * The only name clawkeep's temp files have in a directory it shares with another tool (a linked
 * `~/.codex`, an OpenClaw agent dir): `<file>.clawkeep.tmp-<pid>-<8 hex>` (util/files.ts). Other
 * tools' temp files (OpenClaw's `<file>.tmp-<pid>-<ms>`) and the user's files never match.
 */
const OWN_TEMP = /\.clawkeep\.tmp-(\d+)-[0-9a-f]{8}$/;

/** A dir clawkeep owns (its home: every leftover pattern) or shares with other tools (`{ shared }`). */
export type LeftoverDir = string | { shared: string };

/** The leftover a file name in a shared dir is: only clawkeep's marked temp files are. */
export function matchOwnTemp(name: string): { kind: 'temp_file'; pid: number } | null {
  const m = OWN_TEMP.exec(name);
  return m ? { kind: 'temp_file', pid: Number(m[1]) } : null;
}

/** A clawkeep process running as this user wrote it (root writes files it gives to their owner). */
function writableByUs(uid: number): boolean {
  const me = process.getuid?.();
  return me === undefined || me === 0 || me === uid;
}

/** Leftovers directly in each dir (regular files only: a symlink is never followed or removed). */
export function findLeftovers(dirs: readonly LeftoverDir[]): Leftover[] {
  const out: Leftover[] = [];
  const seen = new Set<string>();
  for (const entry of dirs) {
    const shared = typeof entry !== 'string';
    const dir = shared ? entry.shared : entry;
    if (seen.has(dir)) continue;
    seen.add(dir);
    let names: string[];
    try {
      // A linked dir may lead anywhere: never list (and so never remove) through it.
      if (lstatSync(dir).isSymbolicLink()) continue;
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const m = shared ? matchOwnTemp(name) : matchLeftover(name);
      if (!m) continue;
      const path = join(dir, name);
      try {
        const st = lstatSync(path);
        if (!st.isFile() || (shared && !writableByUs(st.uid))) continue;
        out.push({ path, kind: m.kind, pid: m.pid, mtimeMs: st.mtimeMs });
      } catch {
        // Gone meanwhile.
      }
    }
  }
  return out;
}

/** The dirs of a clawkeep home that clawkeep writes temp files in: the home, its backups, the rotation journal. */
export function homeTempDirs(home: string): string[] {
  return [home, join(home, 'backups'), pendingRotationsDir(home)];
}

/** Removes the abandoned leftovers of a clawkeep home (homeTempDirs); returns what it removed. */
export function sweepLeftovers(home: string, now = Date.now()): string[] {
  return sweepDirs(homeTempDirs(home), now);
}

/** Removes the abandoned leftovers in `dirs`; returns what it removed. */
export function sweepDirs(dirs: readonly LeftoverDir[], now = Date.now()): string[] {
  const removed: string[] = [];
  for (const l of findLeftovers(dirs)) {
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
