import { authOrderCheck } from '../doctor/checks/auth-order.js';
import { deadCredentialsCheck } from '../doctor/checks/dead-credentials.js';
import { fenceRecoveryCheck } from '../doctor/checks/fence-recovery.js';
import { pendingMigrationCheck } from '../doctor/checks/pending-migration.js';
import { providerRenameCheck } from '../doctor/checks/provider-rename.js';
import { splitStoreCheck } from '../doctor/checks/split-store.js';
import { staleLocksCheck } from '../doctor/checks/stale-locks.js';
import { createDoctorContext } from '../doctor/context.js';
import { withDoctorLock } from '../doctor/lock.js';
import { applyFixes, runDiagnosis } from '../doctor/runner.js';
import type { Takeover } from '../doctor/takeovers.js';
import type { Check, CheckResult, Finding } from '../doctor/types.js';
import { causeOf, type WatchJournal } from './journal.js';

/**
 * The doctor's checks the guardian runs on every change, in the doctor's order: heal splits, recover
 * abandoned refresh fences, rename stale `openai-codex` references (an older tool can write them at any time), give an auth order that names
 * no held login the held ones, archive imported leftovers, clear stale locks; dead credentials are reported.
 */
export const WATCH_CHECKS: readonly Check[] = [
  splitStoreCheck,
  fenceRecoveryCheck,
  providerRenameCheck,
  authOrderCheck,
  pendingMigrationCheck,
  staleLocksCheck,
  deadCredentialsCheck,
];

export type PassOutcome =
  | { kind: 'busy'; reason: string }
  | { kind: 'pass'; fixed: number; announced: number; recheckInMs: number | null }
  | { kind: 'reconciled'; repairs: number; transition: boolean };

export interface PassDeps {
  home: string;
  clawkeepHome: string;
  checks: readonly Check[];
  command: string;
  now: () => number;
  journal: WatchJournal;
  fenceGraceMs: number;
  /** When this guardian first saw each not-yet-announced cause (fences get a grace period). */
  firstSeen: Map<string, number>;
  /** A path or reason while OpenClaw holds a lock or runs a migration on this state dir; else null. */
  isOpenClawBusy: () => string | null;
  announceable: (f: Finding) => boolean;
  /** `takeoversAhead` for this guardian's store (PostgreSQL), read afresh for each diagnosis. */
  takeovers: () => Promise<Takeover[] | null | undefined>;
}

/**
 * One pass for the agents that changed (null: all): a read-only diagnosis first, and only when it
 * finds something to repair or to announce, the doctor's lock, a fresh diagnosis under it, the fixes,
 * and the journal. An idle pass takes no lock and writes nothing.
 */
export async function runPass(d: PassDeps, agents: string[] | null): Promise<PassOutcome> {
  const mine = (f: Finding) =>
    agents === null ? true : f.agentId !== undefined && f.home === d.home && agents.includes(f.agentId);
  const context = async () => {
    const takeovers = await d.takeovers();
    return createDoctorContext({
      clawkeepHome: d.clawkeepHome,
      openclawHomes: [d.home],
      command: d.command,
      now: d.now,
      ...(takeovers !== undefined ? { takeovers } : {}),
    });
  };
  const first = scope(await runDiagnosis(d.checks, await context()), mine);
  const findings = first.flatMap((r) => r.findings);
  const toAnnounce = (fs: Finding[]) =>
    readyToAnnounce(
      d,
      fs.filter((f) => f.check === deadCredentialsCheck.id),
    );
  const dead = (fs: Finding[]) => new Set(fs.filter((f) => f.check === deadCredentialsCheck.id).map(causeOf));
  d.journal.settle(d.home, agents, dead(findings));
  const pending = toAnnounce(findings);
  if (!findings.some((f) => f.fix !== undefined) && pending.ready.length === 0)
    return { kind: 'pass', fixed: 0, announced: 0, recheckInMs: pending.recheckInMs };

  return withDoctorLock([d.home, d.clawkeepHome], async (): Promise<PassOutcome> => {
    const busy = d.isOpenClawBusy();
    if (busy) return { kind: 'busy', reason: busy };
    await d.journal.catchUp();
    const ctx = await context();
    const applied = await applyFixes(d.checks, ctx, scope(await runDiagnosis(d.checks, ctx), mine));
    let fixed = 0;
    for (const { finding: f, result } of applied) {
      if (result.status === 'fixed') {
        fixed++;
        await d.journal.record(
          {
            kind: 'repaired',
            cause: f.code,
            home: d.home,
            ...(f.agentId ? { agentId: f.agentId } : {}),
            ...(f.profileId ? { openclawProfile: f.profileId } : {}),
            code: f.code,
            ...(f.fingerprints ? { fingerprints: f.fingerprints } : {}),
            message: `guardian: ${result.message}`,
          },
          d.now(),
        );
      } else if (result.status === 'failed') {
        await d.journal.announce(
          {
            kind: 'reauth_required',
            cause: `fix_failed|${causeOf(f)}`,
            home: d.home,
            ...(f.agentId ? { agentId: f.agentId } : {}),
            code: f.code,
            message: `guardian could not repair [${f.code}] ${f.message}: ${result.message}; run ${f.next ?? `${d.command} doctor`}`,
          },
          d.now(),
        );
      }
    }
    // What is left after the repairs and needs a person (re-auth), announced once per cause.
    const after = scope(await runDiagnosis([deadCredentialsCheck], ctx), mine).flatMap((r) => r.findings);
    d.journal.settle(d.home, agents, dead(after));
    const left = toAnnounce(after);
    let announced = 0;
    for (const f of left.ready) {
      const done = await d.journal.announce(
        {
          kind: 'reauth_required',
          cause: causeOf(f),
          home: f.home ?? d.home,
          ...(f.agentId ? { agentId: f.agentId } : {}),
          ...(f.profileId ? { openclawProfile: f.profileId } : {}),
          code: f.code,
          ...(f.fingerprints ? { fingerprints: f.fingerprints } : {}),
          message: `${f.agentId ? `agent ${f.agentId} ` : ''}${f.profileId ?? ''}: ${f.message}${f.next ? `; next: ${f.next}` : ''}`,
        },
        d.now(),
      );
      if (done) announced++;
    }
    return { kind: 'pass', fixed, announced, recheckInMs: left.recheckInMs };
  });
}

function scope(results: CheckResult[], keep: (f: Finding) => boolean): CheckResult[] {
  return results.map((r) => ({ ...r, findings: r.findings.filter(keep) }));
}

/**
 * Findings not yet announced; a refresh fence only once it has stood for the grace period (its owner
 * may still settle it), with the time to look again.
 */
function readyToAnnounce(d: PassDeps, fs: Finding[]): { ready: Finding[]; recheckInMs: number | null } {
  const now = d.now();
  const ready: Finding[] = [];
  let recheckInMs: number | null = null;
  for (const f of fs) {
    if (!d.announceable(f)) continue;
    const cause = causeOf(f);
    if (!d.firstSeen.has(cause)) d.firstSeen.set(cause, now);
    const waited = now - d.firstSeen.get(cause)!;
    if (f.code !== 'refresh_fence' || waited >= d.fenceGraceMs) ready.push(f);
    else recheckInMs = Math.min(recheckInMs ?? Number.POSITIVE_INFINITY, d.fenceGraceMs - waited);
  }
  return { ready, recheckInMs };
}
