import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/processes.js';
import { copyFixture } from './helpers.js';

interface JsonFinding {
  code: string;
  severity: string;
  message: string;
  path?: string;
  paths?: string[];
  next?: string;
}
interface JsonReport {
  exitCode: number;
  fixCommand: string;
  next?: string[];
  checks: Array<{ id: string; findings: JsonFinding[] }>;
  fixes?: Array<{ finding: JsonFinding; result: { status: string; message: string } }>;
}

const RESTART = 'openclaw gateway stop && openclaw gateway start';
const findings = (r: JsonReport) => r.checks.flatMap((c) => c.findings);

// Output a person can act on: each line below once pointed somewhere else or said something untrue.
describe('doctor output a person can act on (real processes)', () => {
  it('the repair command carries the diagnosis’ --openclaw-home and --agent, in text and in --json', async () => {
    const state = copyFixture('split-2026.6');
    const home = join(state, '.clawkeep-home');
    const want = `clawkeep --home ${home} doctor --fix --openclaw-home ${state} --agent main`;
    const text = await runCli(home, ['doctor', '--openclaw-home', state, '--agent', 'main']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      new RegExp(`repairable with: ${want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
    );
    const json = JSON.parse(
      (await runCli(home, ['doctor', '--json', '--openclaw-home', state, '--agent', 'main'])).stdout,
    ) as JsonReport;
    expect(json.fixCommand).toBe(want);
    for (const f of findings(json)) if (f.next?.includes('doctor --fix')) expect(f.next).toBe(want);
    rmSync(state, { recursive: true, force: true });
  });

  it('split store: says it causes 401 refresh_token_reused; the repair archives the leftover without a failure, then says to restart OpenClaw', async () => {
    const state = copyFixture('split-2026.6');
    const home = join(state, '.clawkeep-home');
    const diag = JSON.parse(
      (await runCli(home, ['doctor', '--json', '--openclaw-home', state])).stdout,
    ) as JsonReport;
    const split = findings(diag).find((f) => f.code === 'split_store')!;
    expect(split.message).toContain('cause of `401 refresh_token_reused`');
    // Permission findings fold into one line per state dir, with the count and every path.
    const perms = findings(diag).filter((f) => f.code === 'loose_permissions');
    expect(perms).toHaveLength(1);
    expect(perms[0]!.path).toBe(state);
    expect(perms[0]!.paths!.length).toBeGreaterThan(3);
    expect(perms[0]!.message).toContain(`${perms[0]!.paths!.length} paths in ${state}`);
    // The leftover auth-profiles.json is 0644 *and* archived by pending-migration before the chmod runs.
    expect(perms[0]!.paths).toContain(join(state, 'agents/main/agent/auth-profiles.json'));

    const fix = await runCli(home, ['doctor', '--fix', '--json', '--openclaw-home', state]);
    const report = JSON.parse(fix.stdout) as JsonReport;
    expect(report.fixes!.filter((f) => f.result.status === 'failed')).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.next).toEqual([expect.stringContaining(RESTART)]);
    const text = await runCli(home, ['doctor', '--fix', '--openclaw-home', state]);
    // Nothing left to repair: no restart asked for.
    expect(text.stdout).toContain('nothing to repair');
    expect(text.stdout).not.toContain(RESTART);
    rmSync(state, { recursive: true, force: true });
  });

  it('the restart line follows a repair of an OpenClaw store in text output, and only then', async () => {
    const state = copyFixture('split-2026.6');
    const home = join(state, '.clawkeep-home');
    const fix = await runCli(home, ['doctor', '--fix', '--openclaw-home', state]);
    expect(fix.stdout).toMatch(
      new RegExp(`^next: restart OpenClaw's gateway .*: ${RESTART.replace(/&/g, '\\&')}$`, 'm'),
    );
    const perms = copyFixture('json-split');
    const onlyChmod = await runCli(join(perms, '.clawkeep-home'), [
      'doctor',
      '--fix',
      '--json',
      '--openclaw-home',
      perms,
    ]);
    const r = JSON.parse(onlyChmod.stdout) as JsonReport;
    expect(r.fixes!.length).toBeGreaterThan(0);
    expect(r.fixes!.every((f) => f.finding.code === 'loose_permissions')).toBe(true);
    expect(r.next).toBeUndefined();
    for (const d of [state, perms]) rmSync(d, { recursive: true, force: true });
  });

  it('duplicate_account names no "freshest" copy when the copies are one token', async () => {
    const state = copyFixture('json-single');
    const r = JSON.parse(
      (await runCli(join(state, '.clawkeep-home'), ['doctor', '--json', '--openclaw-home', state])).stdout,
    ) as JsonReport;
    const dup = findings(r).filter((f) => f.code === 'duplicate_account');
    expect(dup).toHaveLength(1);
    expect(dup[0]!.message).not.toContain('Freshest');
    expect(dup[0]!.message).toContain('same token');
    rmSync(state, { recursive: true, force: true });
  });
});
