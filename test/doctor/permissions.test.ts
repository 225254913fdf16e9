import { lstatSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyFixture, doctor } from './helpers.js';

interface JsonFinding {
  code: string;
  paths?: string[];
}
interface JsonReport {
  checks: Array<{ id: string; findings: JsonFinding[] }>;
  fixes?: Array<{ finding: JsonFinding; result: { status: string; message: string } }>;
}

const json = async (state: string, args: string[] = []) =>
  JSON.parse((await doctor(state, ['--json', ...args])).stdout) as JsonReport;

describe('permissions: the repair accounts for every path the diagnosis reported', () => {
  it('names the reported file an earlier repair archived, and says why it was left', async () => {
    // The leftover auth-profiles.json is 0644 and pending-migration archives it before the chmod runs.
    const state = copyFixture('split-2026.6');
    const leftover = join(state, 'agents/main/agent/auth-profiles.json');
    const perms = (await json(state)).checks
      .flatMap((c) => c.findings)
      .find((f) => f.code === 'loose_permissions')!;
    const n = perms.paths!.length;
    expect(perms.paths).toContain(leftover);

    const fix = (await json(state, ['--fix'])).fixes!.find((f) => f.finding.code === 'loose_permissions')!;
    expect(fix.result.status).toBe('fixed');
    expect(fix.result.message).toContain(`${n - 1} of the ${n} reported paths are private now`);
    expect(fix.result.message).toContain(
      `left ${leftover}: no longer there (an earlier repair of this run archived`,
    );
    // What it says is what happened: every other reported path is private, the one left is gone.
    for (const p of perms.paths!) {
      if (p === leftover) expect(() => lstatSync(p)).toThrow();
      else expect(lstatSync(p).mode & 0o077, p).toBe(0);
    }
    rmSync(state, { recursive: true, force: true });
  }, 60_000);
});
