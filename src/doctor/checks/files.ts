import type { Check, Finding } from '../types.js';

/** Bad input: files clawkeep cannot use are reported with their path and left untouched. */
export const filesCheck: Check = {
  id: 'openclaw-files',
  title: 'OpenClaw files are readable',
  run(ctx) {
    const out: Finding[] = [];
    const seen = new Set<string>();
    const add = (f: Finding) => {
      if (seen.has(`${f.path}\0${f.code}`)) return;
      seen.add(`${f.path}\0${f.code}`);
      out.push(f);
    };
    for (const home of ctx.scans()) {
      for (const p of home.problems) {
        add({
          check: this.id,
          severity: 'error',
          code: p.code,
          message: p.message,
          home: home.dir,
          path: p.path,
        });
      }
    }
    for (const v of ctx.agents()) {
      const reads = [
        ...(v.primary ? [{ ...v.primary, primary: true }] : []),
        ...v.legacy.map((l) => ({ ...l, primary: false })),
      ];
      for (const r of reads) {
        if (r.result.ok) continue;
        const p = r.result.problem;
        add({
          check: this.id,
          severity: r.primary ? 'error' : 'warn',
          code: p.code,
          message: `${p.message}${r.primary ? '; OpenClaw cannot load this agent’s credentials' : ''}; left untouched`,
          home: v.home.dir,
          agentId: v.agent.id,
          path: p.path,
          next:
            p.code === 'sidecar_locked'
              ? `OPENCLAW_STATE_DIR=${v.home.dir} openclaw doctor --fix   # from an interactive terminal, where OpenClaw can reach its key`
              : `mv ${p.path} ${p.path}.broken   # after saving what you need from it`,
        });
      }
    }
    return out;
  },
};
