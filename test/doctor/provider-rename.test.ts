import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { copyFixture, doctor, hasOpenClaw, openclawSees, openclawUses, sha16, snapshot } from './helpers.js';

const REFRESH = 'fake-codex-refresh-1';

/**
 * OpenClaw 2026.9.6's shared store (written by that release: `openai-codex:default`, provider
 * `openai-codex`) with the rest of what an older tool or an unfinished rename leaves: a state row whose
 * order/lastGood/usageStats name `openai-codex`, and an openclaw.json whose auth order for `openai` names
 * the old id (measured on 2026.9.6: no profile is usable for openai/* then) and whose model is
 * `openai-codex/gpt-5.5`.
 */
function staleState(): string {
  const state = copyFixture('shared-2026.9');
  rmSync(join(state, 'agents/main/agent/auth-profiles.json')); // no split in this test: the rename alone
  const db = new Database(join(state, 'state/openclaw.sqlite'));
  db.prepare(
    `INSERT INTO config_machine_state (state_key, value_json, updated_at_ms) VALUES ('authProfiles.state', ?, 1)`,
  ).run(
    JSON.stringify({
      version: 1,
      order: { 'openai-codex': ['openai-codex:default'] },
      lastGood: { 'openai-codex': 'openai-codex:default' },
      usageStats: { 'openai-codex:default': { lastUsed: 1790000000000 } },
    }),
  );
  db.close();
  writeFileSync(
    join(state, 'openclaw.json'),
    `${JSON.stringify(
      {
        auth: {
          profiles: { 'openai-codex:default': { provider: 'openai-codex', mode: 'oauth' } },
          order: { openai: ['openai-codex:default'] },
        },
        agents: { defaults: { model: { primary: 'openai-codex/gpt-5.5' } } },
      },
      null,
      2,
    )}\n`,
    { mode: 0o600 },
  );
  return state;
}

function sharedRows(state: string): Record<string, unknown> {
  const db = new Database(join(state, 'state/openclaw.sqlite'), { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT state_key AS k, value_json AS v FROM config_machine_state WHERE state_key LIKE 'authProfiles.%'`,
      )
      .all() as Array<{ k: string; v: string }>;
    return Object.fromEntries(rows.map((r) => [r.k, JSON.parse(r.v)]));
  } finally {
    db.close();
  }
}

describe('provider-rename: stale openai-codex references after OpenClaw’s rename', () => {
  it('finds them in the store, its state row and openclaw.json; --fix renames them once, keeping the credential', async () => {
    const state = staleState();
    const real = hasOpenClaw('2026.9.6');
    if (!real) console.warn('OpenClaw 2026.9.6 not under .cache/openclaw: checking the files only');
    // The failure, through OpenClaw's own code: the login is there but no profile is usable for openai.
    if (real) expect(openclawUses('2026.9.6', state, 'openai').resolved).toEqual([]);

    const diag = await doctor(state);
    expect(diag.stdout).toContain('[legacy_provider_id]');
    expect(diag.stdout).toContain('[legacy_provider_config]');
    expect(diag.stdout + diag.stderr).not.toContain(REFRESH);

    const fix = await doctor(state, ['--fix']);
    expect(fix.stdout).toContain('openai-codex:default → openai:default');
    expect(fix.stdout).toContain('rewrote');
    const rows = sharedRows(state);
    const store = rows['authProfiles.store'] as {
      profiles: Record<string, { provider: string; refresh: string }>;
    };
    expect(Object.keys(store.profiles)).toEqual(['openai:default']);
    expect(store.profiles['openai:default']).toMatchObject({ provider: 'openai', refresh: REFRESH });
    expect(rows['authProfiles.state']).toEqual({
      version: 1,
      order: { openai: ['openai:default'] },
      lastGood: { openai: 'openai:default' },
      usageStats: { 'openai:default': { lastUsed: 1790000000000 } },
    });
    const cfg = JSON.parse(readFileSync(join(state, 'openclaw.json'), 'utf8'));
    expect(cfg).toEqual({
      auth: {
        profiles: { 'openai:default': { provider: 'openai', mode: 'oauth' } },
        order: { openai: ['openai:default'] },
      },
      agents: { defaults: { model: { primary: 'openai/gpt-5.5' } } },
    });
    // Nothing lost: the previous documents are kept, 0600.
    const backups = [
      ...readdirSync(join(state, 'state')).filter((n) => n.includes('clawkeep-provider-rename')),
      ...readdirSync(state).filter((n) => n.includes('clawkeep-provider-rename')),
    ];
    expect(backups).toHaveLength(2);
    for (const b of backups) {
      const p = join(state, b.startsWith('openclaw.json') ? '' : 'state', b);
      expect(statSync(p).mode & 0o777).toBe(0o600);
      expect(readFileSync(p, 'utf8')).toContain('openai-codex:default');
    }

    if (real) {
      // OpenClaw 2026.9.6 now uses the login for openai/* models: the same refresh token, under openai:default.
      expect(openclawUses('2026.9.6', state, 'openai')).toEqual({
        resolved: [{ id: 'openai:default', refresh: sha16(REFRESH) }],
        primaryModel: 'openai/gpt-5.5',
      });
      expect(openclawSees('2026.9.6', state, 'main')['openai:default']?.refresh).toBe(sha16(REFRESH));
    }

    // Idempotent: a second run finds nothing of this kind and changes nothing.
    const before = snapshot(state);
    const again = await doctor(state, ['--fix']);
    expect(again.stdout).not.toContain('legacy_provider');
    expect(snapshot(state)).toEqual(before);
  }, 120_000);

  it('a JSON-era store (OpenClaw ≤ 2026.5, before the rename) keeps its openai-codex ids', async () => {
    const state = copyFixture('json-split');
    // (`--fix` may tighten file modes: the permissions check. The documents are what matters here.)
    const docs = () =>
      Object.fromEntries(Object.entries(snapshot(state)).map(([k, v]) => [k, v.replace(/^\d+ /, '')]));
    const before = docs();
    const r = await doctor(state, ['--fix']);
    expect(r.stdout).not.toContain('legacy_provider');
    expect(docs()).toEqual(before);
    if (hasOpenClaw('2026.5.28'))
      expect(openclawSees('2026.5.28', state, 'main')['openai-codex:default']).toBeTruthy();
  }, 60_000);

  it('a config that is not plain JSON is reported, never rewritten', async () => {
    const state = staleState();
    const text = `// JSON5\n{ agents: { defaults: { model: { primary: "openai-codex/gpt-5.5" } } } }\n`;
    writeFileSync(join(state, 'openclaw.json'), text);
    const r = await doctor(state, ['--fix']);
    expect(r.stdout).toContain('is not plain JSON');
    expect(readFileSync(join(state, 'openclaw.json'), 'utf8')).toBe(text);
  }, 60_000);
});
