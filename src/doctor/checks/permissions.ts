import { chmodSync, existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Check, Finding } from '../types.js';
import { fixCommand } from '../util.js';

/** State dirs 0700, credential files (stores, legacy files, backups) 0600. */
export const permissionsCheck: Check = {
  id: 'permissions',
  title: 'Credential dirs are 0700 and files 0600',
  run(ctx) {
    const out: Finding[] = [];
    const look = (path: string, want: number, home?: string) => {
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
      out.push({
        check: this.id,
        severity: 'warn',
        code: 'loose_permissions',
        ...(home ? { home } : {}),
        path,
        message: `${path} has mode ${mode.toString(8)}, want ${want.toString(8)}`,
        next: home ? fixCommand(ctx, home) : `chmod ${want.toString(8)} ${path}`,
        fix: `chmod ${want.toString(8)} ${path}`,
      });
    };
    for (const home of ctx.scans()) {
      for (const d of home.dirs) look(d, 0o700, home.dir);
      const files = new Set(home.credentialFiles);
      // SQLite creates -wal/-shm on first open (this diagnosis may be that open), with the database's mode.
      for (const f of home.credentialFiles)
        if (f.endsWith('.sqlite')) for (const s of ['-wal', '-shm']) files.add(f + s);
      for (const f of [...files].sort()) look(f, 0o600, home.dir);
    }
    const ck = ctx.clawkeepHome;
    if (existsSync(ck)) {
      look(ck, 0o700);
      for (const n of safeList(ck)) if (n.startsWith('clawkeep.sqlite')) look(join(ck, n), 0o600);
      const backups = join(ck, 'backups');
      for (const n of safeList(backups)) look(join(backups, n), 0o600);
    }
    return out;
  },
  fix(_ctx, finding) {
    const path = finding.path!;
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return { status: 'skipped', message: `${path} is a symlink; left alone` };
    const want = st.isDirectory() ? 0o700 : 0o600;
    if ((st.mode & 0o077) === 0) return { status: 'unchanged', message: `${path} is already private` };
    chmodSync(path, want);
    return { status: 'fixed', message: `chmod ${want.toString(8)} ${path}` };
  },
};

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
