import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  doctor,
  FIXTURES,
  hasOpenClaw,
  NODE24,
  openclawPackage,
  openclawSees,
  sha16,
  snapshot,
} from './helpers.js';
import { fakeJwt } from './state-builder.js';

const V = '2026.8.2';
const KEY = 'fake-openclaw-auth-profile-key';
const T0 = 1_790_000_000;
const record = (refresh: string, iat: number) =>
  JSON.stringify({
    id: 'openai-codex:default',
    type: 'oauth',
    provider: 'openai-codex',
    access: fakeJwt(iat, iat + 864000),
    refresh,
    expires: (iat + 864000) * 1000,
    accountId: 'acct-fake-codex',
    email: 'codex@example.invalid',
  });

/**
 * A 2026.8 state dir written by the real release (shared store, spent token) and a leftover
 * auth-profiles.json whose record keeps its fresher tokens in an encrypted `oauthRef` sidecar
 * (test/fixtures/openclaw/make-oauth-sidecar.mjs; OpenClaw 2026.8.2's own doctor decrypts and
 * migrates it, see docs/doctor.md).
 */
function sidecarState(): string {
  const state = mkdtempSync(join(tmpdir(), 'clawkeep-oc-sidecar-'));
  const env = { PATH: process.env.PATH ?? '', HOME: state, OPENCLAW_STATE_DIR: state };
  const w = spawnSync(
    NODE24,
    [
      join(FIXTURES, 'openclaw-write.mjs'),
      openclawPackage(V),
      join(state, 'agents/main/agent'),
      record('fake-codex-refresh-1', T0),
    ],
    { env, encoding: 'utf8' },
  );
  if (w.status !== 0) throw new Error(w.stderr);
  const s = spawnSync(
    process.execPath,
    [
      join(FIXTURES, 'make-oauth-sidecar.mjs'),
      state,
      'openai-codex:default',
      fakeJwt(T0 + 3600, T0 + 3600 + 864000),
      'fake-codex-refresh-2',
      KEY,
      'json',
    ],
    { encoding: 'utf8' },
  );
  if (s.status !== 0) throw new Error(s.stderr);
  return state;
}

describe.skipIf(!hasOpenClaw(V))(`OpenClaw ${V}: oauthRef sidecars`, () => {
  it('without OpenClaw’s key: reported as sidecar_locked, nothing written', async () => {
    const state = sidecarState();
    const home = join(state, '.clawkeep-home');
    const diag = await doctor(state, [], home);
    expect(diag.stdout).toMatch(/\[sidecar_locked\]/);
    expect(diag.stdout).toContain('credentials/auth-profiles/');
    const before = snapshot(state);
    await doctor(state, ['--fix'], home);
    expect(snapshot(state)).toEqual(before);
    // Still OpenClaw's own job (interactively, where it reaches its key): it refuses until then.
    expect(() => openclawSees(V, state, 'main')).toThrow(/AUTH_PROFILE_MIGRATION_REQUIRED/);
  }, 60_000);

  it('with OpenClaw’s key: the sidecar’s fresher token goes inline into the shared store and 2026.8.2 loads it', async () => {
    const state = sidecarState();
    const home = join(state, '.clawkeep-home');
    const { runCli } = await import('../helpers/processes.js');
    const env = { OPENCLAW_AUTH_PROFILE_SECRET_KEY: KEY };
    const diag = await runCli(home, ['doctor', '--openclaw-home', state], { env });
    expect(diag.stdout).toMatch(/\[split_store\]/);
    expect(diag.stdout + diag.stderr).not.toContain('fake-codex-refresh-2');
    const fix = await runCli(home, ['doctor', '--openclaw-home', state, '--fix'], { env });
    expect(fix.stdout).toContain('read back OK');
    // …under openai:default, the id 2026.8.2 matches to openai/* models (provider-rename).
    expect(openclawSees(V, state, 'main')['openai:default']?.refresh).toBe(sha16('fake-codex-refresh-2'));
    // The sidecar itself is kept (nothing deleted); the leftover JSON is archived after the import.
    expect(readdirSync(join(state, 'credentials/auth-profiles')).length).toBe(1);
    expect(existsSync(join(state, 'agents/main/agent/auth-profiles.json'))).toBe(false);
  }, 60_000);
});
