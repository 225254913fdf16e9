import { CHECKS } from './checks/index.js';
import { createDoctorContext } from './context.js';
import { withDoctorLock } from './lock.js';
import { type AppliedFix, applyFixes, exitCodeOf, runDiagnosis } from './runner.js';
import type { Check, CheckResult, FixResult } from './types.js';

export interface DoctorOptions {
  clawkeepHome: string;
  openclawHomes: string[];
  agentId?: string;
  fix?: boolean;
  dryRun?: boolean;
  /** Prefix of the commands printed as next steps (`clawkeep`, `clawkeep --home X`). */
  command?: string;
  checks?: readonly Check[];
  now?: () => number;
}

/** What one doctor run saw and did; the human output and `--json` both render this. */
export interface DoctorReport {
  version: 1;
  exitCode: 0 | 1 | 2;
  clawkeepHome: string;
  openclawHomes: string[];
  dryRun: boolean;
  /** Diagnosis (after the repairs when `--fix` ran). */
  checks: CheckResult[];
  /** Present with `--fix`: each repair and its outcome (with `--dry-run`: what would run). */
  fixes?: AppliedFix[];
  fixCommand: string;
}

/**
 * Diagnoses (read-only), or with `fix` repairs under an exclusive lock and diagnoses again.
 * Exit code: 0 healthy, 1 findings left, 2 a check could not run.
 */
export async function runDoctor(o: DoctorOptions): Promise<DoctorReport> {
  const checks = o.checks ?? CHECKS;
  const command = o.command ?? 'clawkeep';
  const ctx = createDoctorContext({
    clawkeepHome: o.clawkeepHome,
    openclawHomes: o.openclawHomes,
    command,
    ...(o.agentId === undefined ? {} : { agentId: o.agentId }),
    ...(o.now ? { now: o.now } : {}),
  });
  const report = (checks_: CheckResult[], fixes?: AppliedFix[]): DoctorReport => ({
    version: 1,
    exitCode: exitCodeOf(checks_),
    clawkeepHome: o.clawkeepHome,
    openclawHomes: o.openclawHomes,
    dryRun: Boolean(o.dryRun),
    checks: checks_,
    ...(fixes ? { fixes } : {}),
    fixCommand: `${command} doctor --fix`,
  });
  if (!o.fix) return report(await runDiagnosis(checks, ctx));
  if (o.dryRun) {
    const before = await runDiagnosis(checks, ctx);
    const planned = before.flatMap((r) =>
      r.findings
        .filter((f) => f.fix !== undefined)
        .map((finding) => ({
          finding,
          result: { status: 'skipped', message: `would ${finding.fix}` } as FixResult,
        })),
    );
    return report(before, planned);
  }
  return withDoctorLock([...o.openclawHomes, o.clawkeepHome], async () => {
    const before = await runDiagnosis(checks, ctx);
    const fixes = await applyFixes(checks, ctx, before);
    return report(await runDiagnosis(checks, ctx), fixes);
  });
}
