import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/postgres.js';
import { runCli } from '../helpers/processes.js';
import { copyFixture, hasOpenClaw, openclawSees, snapshot } from './helpers.js';

interface JsonFinding {
  code: string;
  severity: string;
  profileId?: string;
}
interface JsonReport {
  exitCode: number;
  checks: Array<{ id: string; findings: JsonFinding[] }>;
  fixes?: Array<{ finding: JsonFinding; result: { status: string } }>;
}

const problems = (r: JsonReport) => r.checks.flatMap((c) => c.findings).filter((f) => f.severity !== 'ok');

/** The credential rows of every SQLite store and the bytes of every JSON file, modes aside. */
function credentials(state: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(snapshot(state))
      .filter(([k]) => !k.startsWith('openclaw.json'))
      .map(([k, v]) => [k, k.endsWith('.sqlite') ? v : v.replace(/^\d+ /, '')]),
  );
}

async function doctorJson(
  home: string,
  state: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<JsonReport> {
  const r = await runCli(home, ['doctor', '--json', '--openclaw-home', state, ...args], { env });
  expect(r.stderr).toBe('');
  const report = JSON.parse(r.stdout) as JsonReport;
  expect(report.exitCode).toBe(r.code);
  return report;
}

// One rule: a login clawkeep took over (`import openclaw --move`) is not missing from OpenClaw's store.
describe('import openclaw --move and doctor --fix agree (real processes)', () => {
  it('with --configure: the doctor finds nothing to undo, --fix writes nothing back, twice', async () => {
    const state = copyFixture('split-2026.6');
    const home = join(state, '.clawkeep-home');
    const imp = await runCli(home, [
      'import',
      'openclaw',
      '--openclaw-home',
      state,
      '--move',
      '--configure',
      '--yes',
    ]);
    expect(imp.code, imp.stderr).toBe(0);
    const moved = credentials(state);

    const diag = await doctorJson(home, state);
    const codes = diag.checks.flatMap((c) => c.findings.map((f) => f.code));
    expect(codes).not.toContain('missing_from_store');
    expect(codes).not.toContain('duplicate_account');
    expect(codes.filter((c) => c === 'taken_over')).toHaveLength(2);
    expect(codes).toContain('gateway_configured');
    // The fixture's files are 0644: the only thing left for a person is that.
    expect(problems(diag).map((f) => f.code)).toEqual(['loose_permissions']);

    const fix = await doctorJson(home, state, ['--fix']);
    expect(fix.exitCode).toBe(0);
    expect(fix.fixes?.map((f) => f.finding.code)).toEqual(['loose_permissions']);
    expect(credentials(state)).toEqual(moved);

    const again = await doctorJson(home, state, ['--fix']);
    expect(again.exitCode).toBe(0);
    expect(again.fixes).toEqual([]);
    expect(credentials(state)).toEqual(moved);
    expect((await doctorJson(home, state)).exitCode).toBe(0);
    if (hasOpenClaw('2026.6.9')) {
      // OpenClaw's own code still loads no copy of the moved login: nothing was written back.
      const sees = openclawSees('2026.6.9', state, 'main');
      expect(sees['openai:default']).toBeUndefined();
    }
    rmSync(state, { recursive: true, force: true });
  });

  it('without --configure: only the gateway finding, pointing at `connect openclaw`; --fix still writes nothing back', async () => {
    const state = copyFixture('split-2026.6');
    const home = join(state, '.clawkeep-home');
    const imp = await runCli(home, ['import', 'openclaw', '--openclaw-home', state, '--move', '--yes']);
    expect(imp.code, imp.stderr).toBe(0);
    const moved = credentials(state);
    const fix = await doctorJson(home, state, ['--fix']);
    expect(fix.fixes?.map((f) => f.finding.code)).toEqual(['loose_permissions']);
    expect(problems(fix).map((f) => f.code)).toEqual(['gateway_not_configured']);
    expect(credentials(state)).toEqual(moved);
    const text = await runCli(home, ['doctor', '--openclaw-home', state]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`connect openclaw --config ${join(state, 'openclaw.json')}`);

    // A key the store does not know (revoked, or another home's) is an error, not a pass.
    writeFileSync(
      join(state, 'openclaw.json'),
      JSON.stringify({
        models: {
          providers: { clawkeep: { baseUrl: 'http://127.0.0.1:18790/v1', apiKey: 'ck_not-a-known-key' } },
        },
        agents: { defaults: { model: { primary: 'clawkeep/default' } } },
      }),
    );
    const bad = await doctorJson(home, state);
    expect(problems(bad).map((f) => [f.code, f.severity])).toEqual([['gateway_key_invalid', 'error']]);
    expect(JSON.stringify(bad)).not.toContain('ck_not-a-known-key');
    // A port that is not this clawkeep's gateway (18790 is a prefix of 187900: not a match either).
    writeFileSync(
      join(state, 'openclaw.json'),
      JSON.stringify({
        models: { providers: { clawkeep: { baseUrl: 'http://127.0.0.1:187900/v1', apiKey: 'ck_x' } } },
        agents: { defaults: { model: { primary: 'clawkeep/default' } } },
      }),
    );
    expect(problems(await doctorJson(home, state)).map((f) => f.code)).toEqual(['gateway_url_mismatch']);
    rmSync(state, { recursive: true, force: true });
  });

  it('a taken-over login clawkeep no longer holds is missing again: the doctor offers to restore it', async () => {
    const state = copyFixture('split-2026.6');
    const home = join(state, '.clawkeep-home');
    expect(
      (await runCli(home, ['import', 'openclaw', '--openclaw-home', state, '--move', '--yes'])).code,
    ).toBe(0);
    const rm = await runCli(home, ['profiles', 'rm', 'openai-codex:default', '--yes']);
    expect(rm.code, rm.stderr).toBe(0);
    const diag = await doctorJson(home, state);
    const split = diag.checks.find((c) => c.id === 'split-store')!.findings;
    expect(split.map((f) => [f.profileId, f.code])).toEqual([
      ['openai-codex:default', 'missing_from_store'],
      ['anthropic:work', 'taken_over'],
    ]);
    rmSync(state, { recursive: true, force: true });
  });

  it('on a PostgreSQL store (a fleet) the same rule holds: taken over, nothing written back', async () => {
    const state = copyFixture('split-2026.6');
    const home = join(state, '.clawkeep-home');
    const env = { CLAWKEEP_STORE: await createTestDatabase('takeover') };
    const imp = await runCli(home, ['import', 'openclaw', '--openclaw-home', state, '--move', '--yes'], {
      env,
    });
    expect(imp.code, imp.stderr).toBe(0);
    const moved = credentials(state);
    const diag = await doctorJson(home, state, [], env);
    const split = diag.checks.find((c) => c.id === 'split-store')!.findings;
    expect(split.map((f) => f.code).sort()).toEqual(['taken_over', 'taken_over']);
    const fix = await doctorJson(home, state, ['--fix'], env);
    expect(fix.fixes?.map((f) => f.finding.code)).toEqual(['loose_permissions']);
    expect(credentials(state)).toEqual(moved);
    rmSync(state, { recursive: true, force: true });
  });

  it("with clawkeep's PostgreSQL store unreachable, a credential missing from OpenClaw is reported, never written back", async () => {
    const state = copyFixture('split-2026.6');
    const moved = await runCli(join(state, '.clawkeep-home'), [
      'import',
      'openclaw',
      '--openclaw-home',
      state,
      '--move',
      '--yes',
    ]);
    expect(moved.code, moved.stderr).toBe(0);
    const before = credentials(state);
    // Another home whose store is a PostgreSQL server that is down: whether it took them over is unknown.
    const env = { CLAWKEEP_STORE: 'postgres://clawkeep@127.0.0.1:1/clawkeep' };
    const fix = await runCli(
      join(state, '.other-home'),
      ['doctor', '--json', '--fix', '--openclaw-home', state],
      {
        env,
      },
    );
    const report = JSON.parse(fix.stdout) as JsonReport;
    const split = report.checks.find((c) => c.id === 'split-store')!.findings;
    expect(split.map((f) => f.code)).toEqual(['missing_from_store', 'missing_from_store']);
    expect(report.fixes?.map((f) => f.finding.code)).not.toContain('missing_from_store');
    expect(credentials(state)).toEqual(before);
    rmSync(state, { recursive: true, force: true });
  });
});
