import type { Check, CheckResult, DoctorContext, Finding, FixResult } from './types.js';

/** Runs every check; a check that throws becomes `crashed`, apart from one that found problems. */
export async function runDiagnosis(checks: readonly Check[], ctx: DoctorContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  // Sequential: checks share the context's cached reads and the order of output is the order of checks.
  for (const check of checks) {
    try {
      const findings = sortFindings(await check.run(ctx));
      const problems = findings.some((f) => f.severity !== 'ok');
      results.push({ id: check.id, title: check.title, status: problems ? 'findings' : 'ok', findings });
    } catch (err) {
      results.push({
        id: check.id,
        title: check.title,
        status: 'crashed',
        findings: [],
        error: (err as Error).stack ?? String(err),
      });
    }
  }
  return results;
}

export interface AppliedFix {
  finding: Finding;
  result: FixResult;
}

/**
 * Applies the fix of every fixable finding, in check order then finding order (deterministic), each
 * against fresh reads of what it names (`ctx.freshAgent`), never the diagnosis cache. A fix that throws is recorded as failed; the others still run.
 */
export async function applyFixes(
  checks: readonly Check[],
  ctx: DoctorContext,
  results: CheckResult[],
): Promise<AppliedFix[]> {
  const applied: AppliedFix[] = [];
  for (const r of results) {
    const check = checks.find((c) => c.id === r.id);
    if (!check?.fix) continue;
    for (const finding of r.findings) {
      if (finding.fix === undefined) continue;
      let result: FixResult;
      try {
        result = await check.fix(ctx, finding);
      } catch (err) {
        result = gone(err, finding) ?? { status: 'failed', message: (err as Error).message };
      }
      applied.push({ finding, result });
    }
  }
  ctx.refresh();
  return applied;
}

/** A fix whose file an earlier repair of this run archived or removed: nothing left to do, not a failure. */
function gone(err: unknown, finding: Finding): FixResult | null {
  const e = err as NodeJS.ErrnoException;
  if (e?.code !== 'ENOENT' || !finding.path || e.path !== finding.path) return null;
  return { status: 'unchanged', message: `${finding.path} is gone (an earlier repair of this run moved it)` };
}

/** 0 healthy, 1 findings, 2 a check could not run. */
export function exitCodeOf(results: CheckResult[]): 0 | 1 | 2 {
  if (results.some((r) => r.status === 'crashed')) return 2;
  return results.some((r) => r.status === 'findings') ? 1 : 0;
}

const SEVERITY_RANK = { error: 0, warn: 1, ok: 2 } as const;

function sortFindings(findings: Finding[]): Finding[] {
  const key = (f: Finding) =>
    [f.home ?? '', f.agentId ?? '', f.profileId ?? '', f.path ?? '', f.code].join('\0');
  return [...findings].sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0),
  );
}
