import { chmodSync, existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Check, DoctorContext, Finding } from '../types.js';
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
    for (const [root, loose] of looseByRoot(ctx)) {
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
    const loose = looseByRoot(ctx).get(finding.path!) ?? [];
    if (loose.length === 0) return { status: 'unchanged', message: `${finding.path}: already private` };
    let done = 0;
    for (const l of loose) {
      try {
        chmodSync(l.path, l.want);
        done++;
      } catch (err) {
        // Moved away meanwhile (an earlier repair of this run archived it): nothing left to tighten.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return {
      status: done > 0 ? 'fixed' : 'unchanged',
      message: `${finding.path}: chmod 700/600 on ${done} path${done === 1 ? '' : 's'}`,
    };
  },
};

/** Every path open to group or others, by the root it belongs to (each state dir, clawkeep's home). */
function looseByRoot(ctx: DoctorContext): Map<string, Loose[]> {
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
  for (const home of ctx.scans()) {
    for (const d of home.dirs) look(home.dir, d, 0o700);
    const files = new Set(home.credentialFiles);
    // SQLite creates -wal/-shm on first open (this diagnosis may be that open), with the database's mode.
    for (const f of home.credentialFiles)
      if (f.endsWith('.sqlite')) for (const s of ['-wal', '-shm']) files.add(f + s);
    for (const f of [...files].sort()) look(home.dir, f, 0o600);
  }
  const ck = ctx.clawkeepHome;
  if (existsSync(ck)) {
    look(ck, ck, 0o700);
    for (const n of safeList(ck)) if (n.startsWith('clawkeep.sqlite')) look(ck, join(ck, n), 0o600);
    const backups = join(ck, 'backups');
    for (const n of safeList(backups)) look(ck, join(backups, n), 0o600);
  }
  return byRoot;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
