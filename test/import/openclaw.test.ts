import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, EmulatorControl, startEmulator } from '../../src/emulator/index.js';
import { readProfilesFrom, scanOpenClawHome, writeProfileTo } from '../../src/openclaw/index.js';
import { copyFixture, hasOpenClaw, NODE24, openclawPackage, openclawSees, sha16 } from '../doctor/helpers.js';
import { runCli } from '../helpers/processes.js';
import { ageProfile, rawDb, readRow } from '../helpers/store-fixtures.js';

const LIVE = 'fake-codex-refresh-2';
const SPENT = 'fake-codex-refresh-1';
const realOpenClaw = hasOpenClaw('2026.5.28') && hasOpenClaw('2026.6.9') && hasOpenClaw('2026.9.6');

function links(home: string): { profile_id: string; kind: string; location: string }[] {
  const db = rawDb(home);
  try {
    return db
      .prepare('SELECT profile_id, kind, location FROM linked_sources ORDER BY profile_id')
      .all() as never;
  } finally {
    db.close();
  }
}

function importOpenClaw(state: string, extra: string[] = [], env: Record<string, string> = {}) {
  return runCli(join(state, '.clawkeep-home'), ['import', 'openclaw', '--openclaw-home', state, ...extra], {
    env,
  });
}

describe('clawkeep import openclaw (fixtures made by the real releases)', () => {
  it.each(['json-single', 'json-split'])(
    'JSON era (%s): every agent, linked, the store untouched',
    async (name) => {
      const state = copyFixture(name);
      const home = join(state, '.clawkeep-home');
      const r = await importOpenClaw(state, ['--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(readRow(home, 'openai-codex:default')).toMatchObject({
        refresh: SPENT,
        account_id: 'acct-fake-codex',
        email: 'codex@example.invalid',
      });
      expect(readRow(home, 'anthropic:work')).toMatchObject({ refresh: 'fake-anthropic-refresh-w1' });
      // 2026.3 gave every agent its own copy of the main agent's Codex login: both are linked.
      const codexAgents = name === 'json-single' ? ['main', 'work'] : ['main'];
      expect(links(home)).toEqual([
        {
          profile_id: 'anthropic:work',
          kind: 'openclaw-agent',
          location: `${state}/agents/work/agent#anthropic:work`,
        },
        ...codexAgents.map((a) => ({
          profile_id: 'openai-codex:default',
          kind: 'openclaw-agent',
          location: `${state}/agents/${a}/agent#openai-codex:default`,
        })),
      ]);
      expect(r.stdout).toContain('"apiKey": "<client key: run `clawkeep clients add openclaw`>"');
      if (realOpenClaw) {
        expect(openclawSees('2026.5.28', state, 'main')['openai-codex:default']?.refresh).toBe(sha16(SPENT));
      }
      rmSync(state, { recursive: true, force: true });
    },
  );

  it('SQLite era (2026.6 split store): keeps the live token from the leftover JSON, and OpenClaw loads it', async () => {
    const state = copyFixture('split-2026.6');
    const home = join(state, '.clawkeep-home');
    const r = await importOpenClaw(state, ['--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/create\s+openai-codex:default.*auth-profiles\.json/);
    expect(readRow(home, 'openai-codex:default')).toMatchObject({ refresh: LIVE });
    // The agent's runtime store (openclaw-agent.sqlite, `openai:default` in that era) was brought in step.
    const store = {
      kind: 'agent-sqlite' as const,
      path: join(state, 'agents/main/agent/openclaw-agent.sqlite'),
      agentId: 'main',
    };
    const read = readProfilesFrom(store);
    expect(read.ok && read.contents.profiles.find((p) => p.id === 'openai:default')?.refresh).toBe(LIVE);
    if (realOpenClaw)
      expect(openclawSees('2026.6.9', state, 'main')['openai:default']?.refresh).toBe(sha16(LIVE));
    // The linked agent store is a copy clawkeep keeps in step, not a duplicated-account hazard.
    const doctor = await runCli(home, ['doctor', '--json', '--openclaw-home', state]);
    const codes = (
      JSON.parse(doctor.stdout) as { checks: Array<{ findings: Array<{ code: string }> }> }
    ).checks.flatMap((c) => c.findings.map((f) => f.code));
    expect(codes).not.toContain('duplicate_account');
    rmSync(state, { recursive: true, force: true });
  });

  it('--move takes the login out of the agent store (record backed up 0600) and archives the leftover', async () => {
    const state = copyFixture('split-2026.6');
    const home = join(state, '.clawkeep-home');
    const r = await importOpenClaw(state, ['--yes', '--move']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('pass --configure too');
    expect(readRow(home, 'openai-codex:default')).toMatchObject({ refresh: LIVE });
    const agentDir = join(state, 'agents/main/agent');
    const store = {
      kind: 'agent-sqlite' as const,
      path: join(agentDir, 'openclaw-agent.sqlite'),
      agentId: 'main',
    };
    const read = readProfilesFrom(store);
    expect(read.ok && read.contents.profiles.some((p) => p.id === 'openai:default')).toBe(false);
    const files = readdirSync(agentDir);
    const backup = files.find((f) => f.startsWith('openclaw-agent.sqlite.clawkeep-import.openai_default.'));
    expect(backup).toBeTruthy();
    expect(statSync(join(agentDir, backup!)).mode & 0o777).toBe(0o600);
    expect(Object.keys(JSON.parse(readFileSync(join(agentDir, backup!), 'utf8')))).toEqual([
      'openai:default',
    ]);
    expect(files).not.toContain('auth-profiles.json');
    expect(files.some((f) => f.startsWith('auth-profiles.json.sqlite-import.'))).toBe(true);
    // No credential was lost: clawkeep holds the live token, the backups hold the rest.
    if (realOpenClaw) expect(openclawSees('2026.6.9', state, 'main')['openai:default']).toBeUndefined();
    rmSync(state, { recursive: true, force: true });
  });

  it('shared SQLite era (2026.9): the live token reaches state/openclaw.sqlite', async () => {
    const state = copyFixture('shared-2026.9');
    const home = join(state, '.clawkeep-home');
    const r = await importOpenClaw(state, ['--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`clawkeep --home ${home} doctor --fix --openclaw-home DIR`);
    expect(readRow(home, 'openai-codex:default')).toMatchObject({ refresh: LIVE });
    const primary = scanOpenClawHome(state, { agentId: 'main' }).agents[0]!.primary!;
    expect(primary.kind).toBe('shared-sqlite');
    const read = readProfilesFrom(primary);
    expect(read.ok && read.contents.profiles.find((p) => p.id.endsWith(':default'))?.refresh).toBe(LIVE);
    if (realOpenClaw) {
      // 2026.9.6 loads nothing while the leftover JSON sits beside the shared store; the doctor archives it.
      await runCli(home, ['doctor', '--fix', '--openclaw-home', state]);
      // …under openai:default, the id 2026.9.6 matches to openai/* models (the doctor's provider-rename).
      expect(openclawSees('2026.9.6', state, 'main')['openai:default']?.refresh).toBe(sha16(LIVE));
    }
    rmSync(state, { recursive: true, force: true });
  });

  it('malformed store: names the file, imports nothing from any agent', async () => {
    const state = copyFixture('json-single');
    const bad = join(state, 'agents/work/agent/auth-profiles.json');
    writeFileSync(bad, '{"version": 1, "profiles": {"anthropic:work": ');
    const r = await importOpenClaw(state, ['--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toContain('nothing imported');
    expect(existsSync(join(state, '.clawkeep-home', 'clawkeep.sqlite'))).toBe(false);
    rmSync(state, { recursive: true, force: true });
  });

  it('--configure writes the gateway provider into openclaw.json with a new client key', async () => {
    const state = copyFixture('json-single');
    writeFileSync(
      join(state, 'openclaw.json'),
      JSON.stringify({
        agents: { defaults: { model: { primary: 'openai-codex/gpt-5' } } },
        gateway: { port: 1 },
      }),
    );
    const r = await importOpenClaw(state, ['--yes', '--configure']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('(was openai-codex/gpt-5)');
    const cfg = JSON.parse(readFileSync(join(state, 'openclaw.json'), 'utf8'));
    expect(cfg.gateway).toEqual({ port: 1 });
    expect(cfg.agents.defaults.model.primary).toBe('clawkeep/default');
    expect(cfg.models.providers.clawkeep).toMatchObject({
      baseUrl: 'http://127.0.0.1:18790/v1',
      api: 'openai-completions',
    });
    expect(cfg.models.providers.clawkeep.apiKey).toMatch(/^ck_/);
    if (realOpenClaw) {
      // The real 2026.9.6 accepts what --configure wrote.
      const v = spawnSync(NODE24, [join(openclawPackage('2026.9.6'), 'openclaw.mjs'), 'config', 'validate'], {
        env: { PATH: process.env.PATH ?? '', HOME: state, OPENCLAW_STATE_DIR: state, NO_COLOR: '1' },
        encoding: 'utf8',
      });
      expect(v.stdout + v.stderr).toContain('Config valid');
    }
    const clients = JSON.parse(
      (await runCli(join(state, '.clawkeep-home'), ['clients', 'list', '--json'])).stdout,
    );
    expect(clients.map((c: { name: string }) => c.name)).toEqual(['openclaw']);

    const json5 = copyFixture('json-single');
    writeFileSync(join(json5, 'openclaw.json'), '{ // mine\n agents: {} }');
    const refused = await importOpenClaw(json5, ['--yes', '--configure']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('not plain JSON');
    expect(existsSync(join(json5, '.clawkeep-home', 'clawkeep.sqlite'))).toBe(false);
    for (const d of [state, json5]) rmSync(d, { recursive: true, force: true });
  });
});

describe('openclaw-agent linked source: clawkeep rotations reach the agent store', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.close());

  it('a rotation by clawkeep is written into the agent store OpenClaw reads', async () => {
    const state = copyFixture('json-single');
    const home = join(state, '.clawkeep-home');
    const minted = await new EmulatorControl(emu.url).mint({
      provider: 'openai-codex',
      email: 'oc@example.com',
    });
    const store = {
      kind: 'json' as const,
      path: join(state, 'agents/main/agent/auth-profiles.json'),
      agentId: 'main',
    };
    const raw = {
      type: 'oauth',
      provider: 'openai-codex',
      access: minted.access,
      refresh: minted.refresh,
      expires: minted.expires,
    };
    writeProfileTo(
      store,
      {
        id: 'openai-codex:default',
        type: 'oauth',
        provider: 'openai-codex',
        access: minted.access,
        refresh: minted.refresh,
        expires: minted.expires,
        accountId: minted.accountId,
        email: minted.email,
        secret: null,
        raw,
      },
      { now: Date.now() },
    );
    expect((await importOpenClaw(state, ['--yes'], emu.env())).code).toBe(0);
    ageProfile(home, 'openai-codex:default');
    const t = await runCli(home, ['token', 'openai-codex:default'], { env: emu.env() });
    expect(t.code, t.stderr).toBe(0);
    const row = readRow(home, 'openai-codex:default')!;
    expect(row.generation).toBe(2);
    const back = readProfilesFrom(store);
    const p = back.ok ? back.contents.profiles.find((x) => x.id === 'openai-codex:default') : undefined;
    expect(p).toMatchObject({ access: row.access, refresh: row.refresh, expires: row.expires });
    if (realOpenClaw) {
      expect(openclawSees('2026.5.28', state, 'main')['openai-codex:default']?.refresh).toBe(
        sha16(String(row.refresh)),
      );
    }
    expect((await emu.stats()).reuseHits).toBe(0);
    rmSync(state, { recursive: true, force: true });
  });
});
