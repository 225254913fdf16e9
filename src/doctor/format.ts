import pc from 'picocolors';
import type { DoctorReport } from './doctor.js';
import type { CheckResult, Finding, Severity } from './types.js';

const MARK: Record<Severity, string> = { ok: pc.green('✓'), warn: pc.yellow('!'), error: pc.red('✗') };

function checkMark(r: CheckResult): string {
  if (r.status === 'crashed') return pc.red('✗');
  if (r.findings.some((f) => f.severity === 'error')) return MARK.error;
  return r.status === 'findings' ? MARK.warn : MARK.ok;
}

/** One line per finding: mark, profile id, [reason code], message, fingerprints; then the next command. */
export function formatFinding(f: Finding): string[] {
  const who = [f.agentId && `agent ${f.agentId}`, f.profileId].filter(Boolean).join(' ');
  const fps = f.fingerprints
    ? ` ${pc.dim(
        `(${Object.entries(f.fingerprints)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})`,
      )}`
    : '';
  const lines = [
    `    ${MARK[f.severity]} ${who ? `${who} ` : ''}${pc.dim(`[${f.code}]`)} ${f.message}${fps}`,
  ];
  if (f.next && f.severity !== 'ok') lines.push(`      ${pc.dim('→')} ${f.next}`);
  return lines;
}

export function formatResults(results: CheckResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`[${checkMark(r)}] ${r.title}`);
    if (r.status === 'crashed') {
      lines.push(
        `    ${pc.red('✗')} ${pc.dim('[crashed]')} the check itself failed: ${r.error?.split('\n')[0]}`,
      );
    }
    for (const f of r.findings) lines.push(...formatFinding(f));
  }
  return lines;
}

export function formatReport(report: DoctorReport): string {
  const lines: string[] = [];
  if (report.fixes) {
    lines.push(
      report.dryRun ? 'clawkeep doctor --fix --dry-run: would apply' : 'clawkeep doctor --fix: applied',
    );
    if (report.fixes.length === 0) lines.push('    nothing to repair');
    for (const a of report.fixes) {
      const mark =
        a.result.status === 'fixed' ? MARK.ok : a.result.status === 'failed' ? MARK.error : MARK.warn;
      lines.push(
        `    ${mark} ${a.finding.profileId ? `${a.finding.profileId} ` : ''}${pc.dim(`[${a.finding.code}]`)} ${a.result.message}`,
      );
    }
    lines.push('', report.dryRun ? 'current state:' : 'after repair:');
  }
  lines.push(...formatResults(report.checks));
  const findings = report.checks.flatMap((r) => r.findings).filter((f) => f.severity !== 'ok');
  const crashed = report.checks.filter((r) => r.status === 'crashed').length;
  const fixable = findings.filter((f) => f.fix !== undefined).length;
  lines.push('');
  if (findings.length === 0 && crashed === 0) lines.push(pc.green('no problems found'));
  else {
    const parts = [`${findings.length} finding${findings.length === 1 ? '' : 's'}`];
    if (crashed) parts.push(`${crashed} check${crashed === 1 ? '' : 's'} crashed`);
    if (fixable && !report.fixes) parts.push(`${fixable} repairable with: ${report.fixCommand}`);
    lines.push(parts.join('; '));
  }
  for (const n of report.next ?? []) lines.push(`${pc.bold('next:')} ${n}`);
  return lines.join('\n');
}
