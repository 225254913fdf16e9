import { checkOpenClawSelection } from '../openclaw/locate.js';
import { quoteArg } from '../util/invoked-as.js';
import { CHECKS } from './checks/index.js';
import { createDoctorContext } from './context.js';
import { withDoctorLock } from './lock.js';
import { type AppliedFix, applyFixes, exitCodeOf, runDiagnosis } from './runner.js';
import { takeoversAhead } from './takeovers.js';
import type { Check, CheckResult, FixResult } from './types.js';

export interface DoctorOptions {
  clawkeepHome: string;
  openclawHomes: string[];
  agentId?: string;
  /** The homes came from `--openclaw-home`: each must be an OpenClaw state dir (else an error, exit 2). */
  explicitHomes?: boolean;
  fix?: boolean;
  dryRun?: boolean;
  /** Prefix of the commands printed as next steps (`clawkeep`, `clawkeep --home X`). */
  command?: string;
  checks?: readonly Check[];
  now?: () => number;
  /** Where `$OPENCLAW_STATE_DIR` is read (default `process.env`): a dir it names must be a state dir. */
  env?: NodeJS.ProcessEnv;
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
  /** After a repair: what a person does next (restart OpenClaw's gateway when a store it loaded changed). */
  next?: string[];
}

/** Restarting OpenClaw's gateway makes it reload the stores the repair changed. */
export const RESTART_OPENCLAW = 'openclaw gateway stop && openclaw gateway start';

/**
 * Diagnoses (read-only), or with `fix` repairs under an exclusive lock and diagnoses again.
 * Exit code: 0 healthy, 1 findings left, 2 a check could not run.
 */
export async function runDoctor(o: DoctorOptions): Promise<DoctorReport> {
  checkOpenClawSelection({
    homes: o.openclawHomes,
    explicit: Boolean(o.explicitHomes),
    ...(o.agentId === undefined ? {} : { agentId: o.agentId }),
    ...(o.env ? { env: o.env } : {}),
  });
  const checks = o.checks ?? CHECKS;
  const command = o.command ?? 'clawkeep';
  // The repair command names what the diagnosis looked at, so it repairs that and nothing else.
  const selection = [
    ...(o.explicitHomes ? o.openclawHomes.map((h) => `--openclaw-home ${quoteArg(h)}`) : []),
    ...(o.agentId === undefined ? [] : [`--agent ${quoteArg(o.agentId)}`]),
  ].join(' ');
  const takeovers = await takeoversAhead(o.clawkeepHome);
  const ctx = createDoctorContext({
    clawkeepHome: o.clawkeepHome,
    openclawHomes: o.openclawHomes,
    command,
    ...(takeovers !== undefined ? { takeovers } : {}),
    ...(o.agentId === undefined ? {} : { agentId: o.agentId }),
    ...(o.now ? { now: o.now } : {}),
  });
  const report = (checks_: CheckResult[], fixes?: AppliedFix[], next?: string[]): DoctorReport => ({
    version: 1,
    exitCode: exitCodeOf(checks_),
    clawkeepHome: o.clawkeepHome,
    openclawHomes: o.openclawHomes,
    dryRun: Boolean(o.dryRun),
    checks: checks_,
    ...(fixes ? { fixes } : {}),
    ...(next && next.length > 0 ? { next } : {}),
    fixCommand: `${command} doctor --fix${selection ? ` ${selection}` : ''}`,
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
    return report(await runDiagnosis(checks, ctx), fixes, nextSteps(checks, fixes));
  });
}

function nextSteps(checks: readonly Check[], fixes: AppliedFix[]): string[] {
  const writers = new Set(checks.filter((c) => c.writesOpenClawStore).map((c) => c.id));
  const homes = [
    ...new Set(
      fixes
        .filter((f) => f.result.status === 'fixed' && writers.has(f.finding.check))
        .map((f) => f.finding.home ?? ''),
    ),
  ];
  if (homes.length === 0) return [];
  const where = homes.filter(Boolean).join(', ');
  return [
    `restart OpenClaw's gateway so it loads the repaired store${where ? `s of ${where}` : ''}: ${RESTART_OPENCLAW}`,
  ];
}
