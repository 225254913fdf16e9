import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/util/fingerprint.js';
import { copyFixture, doctor, hasOpenClaw, openclawSees, sha16, snapshot } from './helpers.js';

const LIVE = 'fake-codex-refresh-2';
const SPENT = 'fake-codex-refresh-1';
const missing = ['2026.5.28', '2026.6.9', '2026.9.6'].filter((v) => !hasOpenClaw(v));
const ready = missing.length === 0;
if (!ready) {
  const why = `OpenClaw ${missing.join(', ')} not installed under .cache/openclaw (run test/fixtures/openclaw/install-openclaw.sh)`;
  // hasOpenClaw throws on a missing release: the prepare step installs them all.
  if (process.env.CI) throw new Error(`real-OpenClaw checks cannot run: ${why}`);
  console.warn(`skipping the real-OpenClaw checks: ${why}`);
}

// Fixtures come from the real releases (test/fixtures/openclaw/generate.sh); the assertions ask the real
// release of each era, through its own code, which token it loads after `clawkeep doctor --fix`.
describe.skipIf(!ready)('real OpenClaw loads what clawkeep doctor --fix repaired', () => {
  it('2026.6 split store: the live token from the leftover JSON ends up in openclaw-agent.sqlite', async () => {
    const state = copyFixture('split-2026.6');
    expect(openclawSees('2026.6.9', state, 'main')['openai:default']?.refresh).toBe(sha16(SPENT));

    const diag = await doctor(state);
    expect(diag.code).toBe(1);
    expect(diag.stdout).toMatch(/✗ agent main openai:default \[split_store\]/);
    expect(diag.stdout).toContain(fingerprint(LIVE));
    expect(diag.stdout).toContain(fingerprint(SPENT));
    expect(diag.stdout).toContain(
      `clawkeep --home ${join(state, '.clawkeep-home')} doctor --fix --openclaw-home ${state}`,
    );
    expect(diag.stdout + diag.stderr).not.toContain(LIVE);

    const fix = await doctor(state, ['--fix']);
    expect(fix.code).toBe(0);
    expect(fix.stdout).toContain('read back OK');
    expect(openclawSees('2026.6.9', state, 'main')['openai:default']?.refresh).toBe(sha16(LIVE));
    const agentDir = join(state, 'agents/main/agent');
    expect(existsSync(join(agentDir, 'auth-profiles.json'))).toBe(false);
    const archives = readdirSync(agentDir).filter((n) =>
      /^auth-profiles\.json\.sqlite-import\.\d{13}\.bak$/.test(n),
    );
    expect(archives.length).toBe(2); // one from OpenClaw's migration, one from clawkeep
    for (const a of archives) expect(statSync(join(agentDir, a)).mode & 0o777).toBe(0o600);

    const before = snapshot(state);
    const again = await doctor(state, ['--fix']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to repair');
    expect(snapshot(state)).toEqual(before);
  }, 120_000); // four doctor runs and three loads by the real release: slow on two busy cores

  it('OpenClaw 2026.6.9’s own doctor keeps the spent copy (the failure clawkeep repairs)', () => {
    // Recorded by generate.sh: after its doctor --fix the store holds the spent token, the live one is in a .bak.
    const state = copyFixture('after-openclaw-doctor-2026.6');
    expect(openclawSees('2026.6.9', state, 'main')['openai:default']?.refresh).toBe(sha16(SPENT));
  });

  it('a backup holding the only live copy (after OpenClaw’s doctor archived it) is recovered, not deleted', async () => {
    const state = copyFixture('after-openclaw-doctor-2026.6');
    const diag = await doctor(state, ['--json']);
    expect(diag.code).toBe(1);
    const report = JSON.parse(diag.stdout);
    const split = report.checks.find((c: { id: string }) => c.id === 'split-store').findings;
    expect(split).toMatchObject([
      { code: 'live_copy_in_backup', profileId: 'openai:default', severity: 'error' },
    ]);
    const backups = readdirSync(join(state, 'agents/main/agent'))
      .filter((n) => n.endsWith('.bak'))
      .sort();

    expect((await doctor(state, ['--fix'])).code).toBe(0);
    expect(openclawSees('2026.6.9', state, 'main')['openai:default']?.refresh).toBe(sha16(LIVE));
    const after = readdirSync(join(state, 'agents/main/agent')).filter((n) => n.endsWith('.bak'));
    expect(after).toEqual(expect.arrayContaining(backups));
    // The spent copy it replaced is kept too: a doctor never deletes a credential.
    expect(after.filter((n) => /^auth-profiles\.json\.clawkeep-replaced\.\d{13}\.bak$/.test(n)).length).toBe(
      1,
    );
  });

  it('2026.9 shared store: the live token lands in state/openclaw.sqlite and 2026.9.6 loads it', async () => {
    const state = copyFixture('shared-2026.9');
    // With a leftover JSON beside the shared store, 2026.9.6 refuses to load the agent's credentials at all.
    expect(() => openclawSees('2026.9.6', state, 'main')).toThrow(/AUTH_PROFILE_MIGRATION_REQUIRED/);
    const diag = await doctor(state);
    expect(diag.code).toBe(1);
    expect(diag.stdout).toMatch(/shared SQLite/);
    expect(diag.stdout).toMatch(/\[split_store\]/);
    const fix = await doctor(state, ['--fix']);
    expect(fix.code).toBe(0);
    // …under the id OpenClaw ≥ 2026.6 uses for it (provider-rename renamed the old openai-codex:default).
    expect(openclawSees('2026.9.6', state, 'main')['openai:default']?.refresh).toBe(sha16(LIVE));
    expect(openclawSees('2026.9.6', state, 'work')['anthropic:work']?.refresh).toBe(
      sha16('fake-anthropic-refresh-w1'),
    );
  });

  it('JSON eras: reported by era, duplicates named, and 2026.5.28 still loads the store after --fix', async () => {
    const single = copyFixture('json-single');
    const d1 = await doctor(single);
    expect(d1.stdout).toContain('JSON (auth-profiles.json');
    // OpenClaw 2026.3 copied main's login into the new agent: one account, two stores.
    expect(d1.stdout).toMatch(/! agent main openai-codex:default \[duplicate_account\]/);
    const split = copyFixture('json-split');
    const d2 = await doctor(split, ['--fix']);
    expect(d2.stdout).toContain('JSON split');
    expect(openclawSees('2026.5.28', split, 'work')['anthropic:work']?.refresh).toBe(
      sha16('fake-anthropic-refresh-w1'),
    );
  });
});
