import { unlinkSync } from 'node:fs';
import { connectedConfigDirs } from '../../clients/connect-records.js';
import { linkedDirs } from '../../clients/leftovers.js';
import { findLeftovers, homeTempDirs, isAbandoned, type LeftoverDir } from '../../store/leftovers.js';
import { isPidAlive } from '../../util/pid.js';
import type { Check, DoctorContext, Finding } from '../types.js';

/** The dirs clawkeep writes temp files in: its home, its backups and rotation journal, OpenClaw's state and agent dirs, linked sources' and connected agents' config dirs. */
function dirsOf(ctx: DoctorContext): LeftoverDir[] {
  const store = ctx.clawkeepStore();
  const links = store.kind === 'ok' ? (store.inspection.links ?? []) : [];
  return [
    ...homeTempDirs(ctx.clawkeepHome),
    ...ctx.agents().map((v) => ({ shared: v.agent.dir })),
    // The state dirs themselves: openclaw.json (connect, the provider rename) and the guardian's marker.
    ...ctx.scans().map((h) => ({ shared: h.dir })),
    ...linkedDirs(links),
    ...connectedConfigDirs(ctx.clawkeepHome).map((shared) => ({ shared })),
  ];
}

/** Temp files (`*.tmp-<pid>-<hex>`, which may hold a credential) and moved-aside pid records left by crashes. */
export const leftoverFilesCheck: Check = {
  id: 'leftover-files',
  title: 'No temp files left by crashed writes',
  run(ctx) {
    const now = ctx.now();
    const out: Finding[] = [];
    for (const l of findLeftovers(dirsOf(ctx))) {
      if (!isAbandoned(l, now, isPidAlive)) continue;
      const what =
        l.kind === 'temp_file'
          ? 'a temp file of an interrupted write (it may hold a credential; the write it belonged to finished or never happened)'
          : 'a gateway pid record a crashed start left';
      out.push({
        check: this.id,
        severity: 'warn',
        code: l.kind === 'temp_file' ? 'leftover_temp_file' : 'stale_pidfile',
        path: l.path,
        message: `${l.path} is ${what}`,
        next: `${ctx.command} doctor --fix`,
        fix: `remove ${l.path}`,
      });
    }
    return out;
  },
  fix(ctx, finding) {
    const l = findLeftovers(dirsOf(ctx)).find((x) => x.path === finding.path);
    if (!l) return { status: 'unchanged', message: `${finding.path} is already gone` };
    if (!isAbandoned(l, ctx.now(), isPidAlive))
      return { status: 'skipped', message: `${l.path} is in use again` };
    try {
      unlinkSync(l.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return { status: 'unchanged', message: 'already gone' };
      throw err;
    }
    return { status: 'fixed', message: `removed ${l.path}` };
  },
};
