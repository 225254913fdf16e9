import { type DoctorReport, runDoctor } from '../doctor/index.js';
import { locateOpenClawHomes } from '../openclaw/locate.js';
import type { Store } from '../store/types.js';

export type DoctorMode = 'diagnose' | 'preview' | 'apply';

/**
 * Runs the same doctor as `clawkeep doctor` over this home and the OpenClaw homes found from the
 * gateway's environment (`$OPENCLAW_STATE_DIR`, `~/.openclaw`, `~/.clawdbot`). `apply` records each
 * repair it made as a `repaired` event, so the result shows in Events.
 */
export async function runDashboardDoctor(
  o: { store: Store; home: string; env: NodeJS.ProcessEnv },
  mode: DoctorMode,
): Promise<DoctorReport> {
  const report = await runDoctor({
    clawkeepHome: o.home,
    openclawHomes: locateOpenClawHomes({ env: o.env }),
    fix: mode !== 'diagnose',
    dryRun: mode === 'preview',
  });
  if (mode === 'apply') {
    const now = Date.now();
    const repaired = (report.fixes ?? []).filter((f) => f.result.status === 'fixed');
    await o.store.appendEvents(
      repaired.map(({ finding, result }) => ({
        at: now,
        profileId: finding.profileId ?? null,
        kind: 'repaired' as const,
        data: {
          check: finding.check,
          code: finding.code,
          ...(finding.agentId ? { agentId: finding.agentId } : {}),
          ...(finding.home ? { home: finding.home } : {}),
          ...(finding.fingerprints ? { fingerprints: finding.fingerprints } : {}),
          message: result.message,
        },
      })),
    );
  }
  return report;
}
