import { describeEra } from '../../openclaw/scan.js';
import type { OpenClawEra } from '../../openclaw/types.js';
import type { Check, Finding } from '../types.js';

/** Store era of every agent (JSON, split JSON, per-agent SQLite, shared SQLite), summarised per home. */
export const erasCheck: Check = {
  id: 'openclaw-eras',
  title: 'OpenClaw store eras',
  run(ctx) {
    const scans = ctx.scans();
    if (scans.length === 0) {
      return [
        {
          check: this.id,
          severity: 'ok',
          code: 'no_openclaw_home',
          message:
            'no OpenClaw state dir found ($OPENCLAW_STATE_DIR, ~/.openclaw, ~/.clawdbot); pass --openclaw-home DIR',
        },
      ];
    }
    const out: Finding[] = [];
    for (const home of scans) {
      const counts = new Map<OpenClawEra, number>();
      for (const a of home.agents) counts.set(a.era, (counts.get(a.era) ?? 0) + 1);
      const summary = [...counts.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([era, n]) => `${n} ${describeEra(era)}`)
        .join(', ');
      const single = home.agents.length === 1 ? home.agents[0] : undefined;
      out.push({
        check: this.id,
        severity: 'ok',
        code: 'era',
        home: home.dir,
        ...(single ? { agentId: single.id } : {}),
        message: `${home.dir}: ${home.agents.length} agent${home.agents.length === 1 ? '' : 's'}${summary ? ` — ${summary}` : ''}`,
      });
    }
    return out;
  },
};
