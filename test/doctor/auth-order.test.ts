import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { copyFixture, doctor, hasOpenClaw, openclawUses, sha16, snapshot } from './helpers.js';

const VERSION = '2026.9.6';
const REFRESH = 'fake-codex-refresh-1';

/**
 * OpenClaw 2026.9.6's shared store holding its login as `openai:work`, and an openclaw.json whose
 * `auth.order.openai` names only `openai:default`, which no store holds (the shape of openclaw#152968).
 */
function deadOrderState(): string {
  const state = copyFixture('shared-2026.9');
  rmSync(join(state, 'agents/main/agent/auth-profiles.json')); // no split here: the order alone
  const db = new Database(join(state, 'state/openclaw.sqlite'));
  const key = 'authProfiles.store';
  const row = db.prepare('SELECT value_json AS v FROM config_machine_state WHERE state_key = ?').get(key) as {
    v: string;
  };
  const doc = JSON.parse(row.v) as { profiles: Record<string, Record<string, unknown>> };
  const login = doc.profiles['openai-codex:default']!;
  doc.profiles = { 'openai:work': { ...login, provider: 'openai' } };
  db.prepare('UPDATE config_machine_state SET value_json = ? WHERE state_key = ?').run(
    JSON.stringify(doc),
    key,
  );
  db.close();
  writeFileSync(
    join(state, 'openclaw.json'),
    `${JSON.stringify({ auth: { order: { openai: ['openai:default'] } } }, null, 2)}\n`,
    { mode: 0o600 },
  );
  return state;
}

/** Adds `openai:other` (another account, fake tokens) to the `work` agent's own per-agent store. */
function addToWorkAgent(state: string): void {
  const db = new Database(join(state, 'agents/work/agent/openclaw-agent.sqlite'));
  const doc = JSON.parse(
    db
      .prepare(`SELECT store_json FROM auth_profile_store WHERE store_key = 'primary'`)
      .pluck()
      .get() as string,
  ) as { profiles: Record<string, unknown> };
  doc.profiles['openai:other'] = {
    type: 'oauth',
    provider: 'openai',
    access: 'fake-other-access',
    refresh: OTHER_REFRESH,
    expires: 1_790_864_000_000,
    accountId: 'acct-fake-other',
  };
  db.prepare(`UPDATE auth_profile_store SET store_json = ? WHERE store_key = 'primary'`).run(
    JSON.stringify(doc),
  );
  db.close();
}

const OTHER_REFRESH = 'fake-other-refresh-1';

describe('auth-order: openclaw.json orders only profiles no store holds', () => {
  it('is named as the cause of the 401s, and --fix appends the held login so OpenClaw uses it again', async () => {
    const state = deadOrderState();
    const real = hasOpenClaw(VERSION);
    if (!real) {
      if (process.env.CI) throw new Error(`OpenClaw ${VERSION} is not under .cache/openclaw`);
      console.warn(`OpenClaw ${VERSION} not under .cache/openclaw: checking the files only`);
    }
    // The failure, through OpenClaw's own code: the login is in the store, yet no profile is used for openai.
    if (real) expect(openclawUses(VERSION, state, 'openai').resolved).toEqual([]);

    const diag = await doctor(state);
    expect(diag.stdout).toContain('[auth_order_unknown]');
    expect(diag.stdout).toContain('auth.order.openai names only openai:default');
    expect(diag.stdout + diag.stderr).not.toContain(REFRESH);

    const fix = await doctor(state, ['--fix']);
    expect(fix.stdout).toContain('auth.order.openai += openai:work');
    expect(JSON.parse(readFileSync(join(state, 'openclaw.json'), 'utf8'))).toEqual({
      auth: { order: { openai: ['openai:default', 'openai:work'] } },
    });
    const backups = readdirSync(state).filter((n) => n.startsWith('openclaw.json.clawkeep-auth-order.'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(state, backups[0]!), 'utf8')).toContain('"openai:default"');
    if (real) {
      expect(openclawUses(VERSION, state, 'openai').resolved).toEqual([
        { id: 'openai:work', refresh: sha16(REFRESH) },
      ]);
    }

    // Idempotent: nothing of this kind is left, and a second --fix changes nothing.
    const before = snapshot(state);
    const again = await doctor(state, ['--fix']);
    expect(again.stdout).not.toContain('auth_order_unknown');
    expect(snapshot(state)).toEqual(before);
  }, 120_000);

  it('an order naming a held id, a login that lives only in a leftover file, or a provider with no login is left alone', async () => {
    const state = deadOrderState();
    const write = (order: unknown) =>
      writeFileSync(join(state, 'openclaw.json'), `${JSON.stringify({ auth: { order } }, null, 2)}\n`);
    for (const order of [
      { openai: ['openai:default', 'openai:work'] },
      { google: ['google:default'] },
      { openai: [] },
    ]) {
      write(order);
      const r = await doctor(state);
      expect(r.stdout, JSON.stringify(order)).not.toContain('auth_order_unknown');
    }
    // A copy of openai:default in a leftover JSON file is split-store's to bring back, not a dead order.
    write({ openai: ['openai:default'] });
    writeFileSync(
      join(state, 'agents/main/agent/auth-profiles.json'),
      JSON.stringify({
        version: 1,
        profiles: {
          'openai:default': {
            type: 'oauth',
            provider: 'openai',
            access: 'fake-a',
            refresh: 'fake-r',
            expires: 1,
          },
        },
      }),
    );
    const r = await doctor(state);
    expect(r.stdout).not.toContain('auth_order_unknown');
  }, 120_000);
});

describe('auth-order: judged per agent, as OpenClaw resolves it', () => {
  it('an id only another agent’s own store holds is not held here: named, and --fix makes the main agent’s calls work again', async () => {
    const state = deadOrderState();
    addToWorkAgent(state);
    const write = (ids: string[]) =>
      writeFileSync(
        join(state, 'openclaw.json'),
        `${JSON.stringify({ auth: { order: { openai: ids } } }, null, 2)}\n`,
      );
    write(['openai:other']);
    const real = hasOpenClaw(VERSION);
    if (!real && process.env.CI) throw new Error(`OpenClaw ${VERSION} is not under .cache/openclaw`);
    // OpenClaw's own resolution: the work agent uses its openai:other, the main agent nothing at all.
    if (real) {
      expect(openclawUses(VERSION, state, 'openai').resolved).toEqual([]);
      expect(openclawUses(VERSION, state, 'openai', 'work').resolved.map((r) => r.id)).toEqual([
        'openai:other',
      ]);
    }
    const diag = JSON.parse((await doctor(state, ['--json'])).stdout) as {
      checks: Array<{ id: string; findings: Array<{ code: string; agentId?: string; message: string }> }>;
    };
    const found = diag.checks.find((c) => c.id === 'auth-order')!.findings;
    expect(found.map((f) => [f.code, f.agentId])).toEqual([['auth_order_unknown', 'main']]);
    expect(found[0]!.message).toContain(
      'auth.order.openai names only openai:other, which agent main cannot load',
    );
    expect(found[0]!.message).toContain('although agent main holds openai:work');
    expect(JSON.stringify(diag)).not.toContain(OTHER_REFRESH);

    const fix = await doctor(state, ['--fix']);
    expect(fix.stdout).toContain('auth.order.openai += openai:work');
    expect(JSON.parse(readFileSync(join(state, 'openclaw.json'), 'utf8'))).toEqual({
      auth: { order: { openai: ['openai:other', 'openai:work'] } },
    });
    if (real) {
      expect(openclawUses(VERSION, state, 'openai').resolved.map((r) => r.id)).toEqual(['openai:work']);
      expect(openclawUses(VERSION, state, 'openai', 'work').resolved.map((r) => r.id)[0]).toBe(
        'openai:other',
      );
    }

    // An id the main agent's store holds is held by every agent (each inherits main's store): no finding.
    write(['openai:work']);
    if (real)
      expect(openclawUses(VERSION, state, 'openai', 'work').resolved.map((r) => r.id)).toEqual([
        'openai:work',
      ]);
    expect((await doctor(state)).stdout).not.toContain('auth_order_unknown');
    // With --agent work alone, main's store is still what it inherits.
    expect((await doctor(state, ['--agent', 'work'])).stdout).not.toContain('auth_order_unknown');
    rmSync(state, { recursive: true, force: true });
  }, 120_000);
});
