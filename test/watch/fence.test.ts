import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyFixture, hasOpenClaw, openclawSees, sha16 } from '../doctor/helpers.js';
import { runCli } from '../helpers/processes.js';
import {
  completedPasses,
  startGuardian,
  startMeteredGuardian,
  stopGuardian,
  tempHome,
  waitFor,
  watchEvents,
  writeCodexLogin,
} from './helpers.js';

const ready = hasOpenClaw('2026.9.6');
/** A Codex CLI login of the same account: `$CODEX_HOME/auth.json`. */
function codexHome(refresh: string, iatSeconds: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'clawkeep-codex-'));
  mkdirSync(dir, { recursive: true });
  writeCodexLogin(dir, refresh, iatSeconds);
  return dir;
}

const running: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((g) => stopGuardian(g)));
});

// The fixture is OpenClaw 2026.9.6's own durable refresh fence (test/fixtures/openclaw/generate.sh), left
// as if its refresh owner died; the real release then loads what clawkeep wrote.
describe.skipIf(!ready)('abandoned OpenClaw refresh fence (real 2026.9.6 fence)', () => {
  it('doctor --fix recovers it from a provably fresher Codex CLI login, and 2026.9.6 loads it', async () => {
    const state = copyFixture('fence-2026.9');
    expect(openclawSees('2026.9.6', state, 'main')['openai-codex:default']?.refresh).not.toBe(
      sha16('fake-codex-refresh-1'),
    );
    const codex = codexHome('fake-codex-refresh-9', Math.floor(Date.now() / 1000));
    const env = { CODEX_HOME: codex, CLAWKEEP_FENCE_GRACE_MS: '0' };
    const home = join(state, '.clawkeep-home');
    const diag = await runCli(home, ['doctor', '--openclaw-home', state], { env });
    expect(diag.stdout).toMatch(/\[fence_recoverable\]/);
    const fix = await runCli(home, ['doctor', '--openclaw-home', state, '--fix'], { env });
    expect(fix.stdout).toContain('replaced the refresh fence');
    // The settled record follows OpenClaw's rename in the same run (provider-rename, after fence-recovery).
    expect(fix.stdout).toContain('openai-codex:default → openai:default');
    const sees = openclawSees('2026.9.6', state, 'main');
    expect(sees['openai-codex:default']).toBeUndefined();
    expect(sees['openai:default']?.refresh).toBe(sha16('fake-codex-refresh-9'));
  }, 60_000);

  it('a copy of the fenced refresh token, or an older one, is not fresher: re-auth is reported, nothing written', async () => {
    for (const [refresh, iat] of [
      ['fake-codex-refresh-1', Math.floor(Date.now() / 1000)], // the generation the dead owner may have spent
      ['fake-codex-refresh-0', 1_780_000_000], // another token, but issued before the fence
    ] as const) {
      const state = copyFixture('fence-2026.9');
      const env = { CODEX_HOME: codexHome(refresh, iat), CLAWKEEP_FENCE_GRACE_MS: '0' };
      const home = join(state, '.clawkeep-home');
      const fix = await runCli(home, ['doctor', '--openclaw-home', state, '--fix'], { env });
      expect(fix.stdout).not.toContain('replaced the refresh fence');
      expect(fix.stdout).toMatch(/re-auth required \[refresh_fence\]/);
    }
  }, 60_000);

  it('the guardian reports re-auth once (across restarts), then recovers when a fresher login appears', async () => {
    const state = copyFixture('fence-2026.9');
    const codex = codexHome('fake-codex-refresh-1', Math.floor(Date.now() / 1000));
    const home = tempHome();
    const env = { CODEX_HOME: codex };
    const first = startGuardian(home, state, env);
    running.push(first);
    const reauth = () => watchEvents(home).filter((e) => e.kind === 'reauth_required');
    await waitFor('re-auth announced', () => reauth().length > 0);
    await stopGuardian(first);
    // Restarted: once it has been through the whole dir, an announcement would be written.
    const { child: g, url } = await startMeteredGuardian(home, state, env);
    running.push(g);
    await waitFor('a pass of the restarted guardian', async () => (await completedPasses(url, state)) > 0);
    expect(reauth().length).toBe(1);
    expect(reauth()[0]!.data.code).toBe('refresh_fence');
    // Codex CLI refreshed the account meanwhile: the guardian notices and recovers the fence.
    writeCodexLogin(codex, 'fake-codex-refresh-9', Math.floor(Date.now() / 1000) + 5);
    await waitFor('fence recovered', () =>
      watchEvents(home).some((e) => e.kind === 'repaired' && e.data.code === 'fence_recoverable'),
    );
    // The settled record then follows OpenClaw's rename (a fenced one keeps its id until then).
    await waitFor('renamed to openai:default', () =>
      watchEvents(home).some((e) => e.kind === 'repaired' && e.data.code === 'legacy_provider_id'),
    );
    await stopGuardian(g);
    expect(openclawSees('2026.9.6', state, 'main')['openai:default']?.refresh).toBe(
      sha16('fake-codex-refresh-9'),
    );
  }, 90_000);

  it('a fence waiting out its grace period does not hold back the healing of a split elsewhere', async () => {
    const state = copyFixture('fence-2026.9');
    const home = tempHome();
    const g = startGuardian(home, state, {
      CODEX_HOME: codexHome('fake-codex-refresh-1', 1),
      CLAWKEEP_FENCE_GRACE_MS: '600000',
    });
    running.push(g);
    await waitFor('first reconcile', () => watchEvents(home).some((e) => e.data.cause === 'first_watch'));
    // The runtime of agent work writes a rotated token into a leftover file.
    writeFileSync(
      join(state, 'agents/work/agent/auth-profiles.json'),
      JSON.stringify({
        version: 1,
        profiles: {
          'anthropic:work': {
            type: 'oauth',
            provider: 'anthropic',
            access: 'fake-anthropic-access-w2',
            refresh: 'fake-anthropic-refresh-w2',
            expires: 2_000_000_000_000,
          },
        },
      }),
      { mode: 0o600 },
    );
    await waitFor(
      'split healed',
      () => watchEvents(home).some((e) => e.data.code === 'split_store' && e.data.agent === 'work'),
      10_000,
    );
    expect(watchEvents(home).filter((e) => e.kind === 'reauth_required')).toEqual([]);
    await stopGuardian(g);
    expect(openclawSees('2026.9.6', state, 'work')['anthropic:work']?.refresh).toBe(
      sha16('fake-anthropic-refresh-w2'),
    );
  }, 90_000);
});
