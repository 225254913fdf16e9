import { chmodSync, existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ScannedHome } from '../../openclaw/types.js';
import type { Check, Finding } from '../types.js';
import { fixCommand } from '../util.js';

interface Loose {
  path: string;
  mode: number;
  want: number;
}

/**
 * State dirs 0700, credential files (stores, legacy files, backups) 0600. One finding per state dir
 * (and one for clawkeep's home) with the count; the fix re-reads the modes and tightens each path.
 */
export const permissionsCheck: Check = {
  id: 'permissions',
  title: 'Credential dirs are 0700 and files 0600',
  run(ctx) {
    const out: Finding[] = [];
    for (const [root, loose] of looseByRoot(ctx.scans(), ctx.clawkeepHome)) {
      if (loose.length === 0) continue;
      const openclaw = root !== ctx.clawkeepHome;
      const n = loose.length;
      const shown = loose
        .slice(0, 3)
        .map((l) => `${l.path} ${l.mode.toString(8)}`)
        .join(', ');
      out.push({
        check: this.id,
        severity: 'warn',
        code: 'loose_permissions',
        ...(openclaw ? { home: root } : {}),
        path: root,
        paths: loose.map((l) => l.path),
        message: `${n} path${n === 1 ? '' : 's'} in ${root} ${n === 1 ? 'is' : 'are'} open to group or others (want dirs 700, files 600): ${shown}${n > 3 ? `, and ${n - 3} more` : ''}`,
        next: openclaw ? fixCommand(ctx, root) : `${ctx.command} doctor --fix`,
        fix: `chmod 700 the dirs and 600 the files (${n} path${n === 1 ? '' : 's'})`,
      });
    }
    return out;
  },
  fix(ctx, finding) {
    const root = finding.path!;
    // Read now, not from the diagnosis: an earlier repair of this run may have archived a reported file
    // (its archive is made 0600) or written new ones beside it.
    const scans = root === ctx.clawkeepHome ? [] : [ctx.freshScan(root)];
    const loose = looseByRoot(scans, ctx.clawkeepHome).get(root) ?? [];
    const tightened: string[] = [];
    for (const l of loose) {
      try {
        chmodSync(l.path, l.want);
        tightened.push(l.path);
      } catch (err) {
        // Moved away between this read and the chmod: reported below as gone.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    const reported = finding.paths ?? [];
    const done = new Set(tightened);
    const state = (p: string) => (done.has(p) ? 'private' : modeOf(p));
    const gone = reported.filter((p) => state(p) === 'gone');
    const open = reported.filter((p) => state(p) === 'open');
    const since = tightened.filter((p) => !reported.includes(p)).length;
    const n = tightened.length;
    const parts = [
      reported.length > 0
        ? `${root}: ${reported.length - gone.length - open.length} of the ${reported.length} reported paths are private now (chmod 700/600 on ${n})`
        : `${root}: chmod 700/600 on ${n} path${n === 1 ? '' : 's'}`,
      ...(since > 0 ? [`${since} of those appeared after the diagnosis`] : []),
      ...(gone.length > 0
        ? [
            `left ${gone.join(', ')}: no longer there (an earlier repair of this run archived or removed ${gone.length === 1 ? 'it' : 'them'}; archives are written 0600)`,
          ]
        : []),
      ...(open.length > 0 ? [`still open: ${open.join(', ')} (no longer a credential path here)`] : []),
    ];
    return { status: n > 0 ? 'fixed' : 'unchanged', message: parts.join('; ') };
  },
};

/** Every path open to group or others, by the root it belongs to (each state dir, clawkeep's home). */
function looseByRoot(scans: ScannedHome[], clawkeepHome: string): Map<string, Loose[]> {
  const byRoot = new Map<string, Loose[]>();
  const look = (root: string, path: string, want: number) => {
    let mode: number;
    try {
      const st = lstatSync(path);
      if (st.isSymbolicLink()) return;
      mode = st.mode & 0o777;
    } catch {
      return;
    }
    // Group or other access is the hazard; a stricter owner-only mode (0400) is fine.
    if ((mode & 0o077) === 0) return;
    const list = byRoot.get(root) ?? [];
    if (!list.some((l) => l.path === path)) list.push({ path, mode, want });
    byRoot.set(root, list);
  };
  for (const home of scans) {
    for (const d of home.dirs) look(home.dir, d, 0o700);
    const files = new Set(home.credentialFiles);
    // SQLite creates -wal/-shm on first open (this diagnosis may be that open), with the database's mode.
    for (const f of home.credentialFiles)
      if (f.endsWith('.sqlite')) for (const s of ['-wal', '-shm']) files.add(f + s);
    for (const f of [...files].sort()) look(home.dir, f, 0o600);
  }
  const ck = clawkeepHome;
  if (existsSync(ck)) {
    look(ck, ck, 0o700);
    for (const n of safeList(ck)) if (n.startsWith('clawkeep.sqlite')) look(ck, join(ck, n), 0o600);
    const backups = join(ck, 'backups');
    for (const n of safeList(backups)) look(ck, join(backups, n), 0o600);
  }
  return byRoot;
}

/** Whether a path is gone, private to its owner (a symlink counts: it is never chmodded), or open. */
function modeOf(path: string): 'gone' | 'private' | 'open' {
  try {
    const st = lstatSync(path);
    return st.isSymbolicLink() || (st.mode & 0o077) === 0 ? 'private' : 'open';
  } catch {
    return 'gone';
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
