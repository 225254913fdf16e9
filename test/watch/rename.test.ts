import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { hasOpenClaw, openclawSees, sha16 } from '../doctor/helpers.js';
import { guardShared2026_9, stopGuardian, waitFor, watchEvents } from './helpers.js';

const running: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((g) => stopGuardian(g)));
});

const DB = 'state/openclaw.sqlite';

function profiles(state: string): Record<string, { provider: string; refresh?: string }> {
  const db = new Database(join(state, DB), { readonly: true, timeout: 5000 });
  try {
    const row = db
      .prepare(`SELECT value_json AS v FROM config_machine_state WHERE state_key = 'authProfiles.store'`)
      .get() as { v: string };
    return JSON.parse(row.v).profiles;
  } finally {
    db.close();
  }
}

/** What an older tool does: adds a login under the retired id, in one write transaction. */
function writeLegacyProfile(state: string, name: string, refresh: string): void {
  const db = new Database(join(state, DB), { timeout: 5000 });
  try {
    db.transaction(() => {
      const row = db
        .prepare(`SELECT value_json AS v FROM config_machine_state WHERE state_key = 'authProfiles.store'`)
        .get() as { v: string };
      const doc = JSON.parse(row.v);
      doc.profiles[`openai-codex:${name}`] = {
        type: 'oauth',
        provider: 'openai-codex',
        access: `fake-access-${name}`,
        refresh,
        expires: Date.now() + 86_400_000,
      };
      db.prepare(
        `UPDATE config_machine_state SET value_json = ?, updated_at_ms = ? WHERE state_key = 'authProfiles.store'`,
      ).run(JSON.stringify(doc), Date.now());
    })();
  } finally {
    db.close();
  }
}

describe('clawkeep watch: OpenClaw’s openai-codex → openai rename (real processes)', () => {
  it('renames a stale id and config ref written while it runs, within a second, keeping the credential', async () => {
    // The first pass reconciles the whole dir: the fixture's own stale id is renamed.
    const { state, home, guardian: g } = await guardShared2026_9(running);
    expect(Object.keys(profiles(state))).toEqual(['openai:default']);

    const t0 = Date.now();
    writeLegacyProfile(state, 'second', 'fake-codex-refresh-second');
    await waitFor('renamed', () => 'openai:second' in profiles(state));
    const storeMs = Date.now() - t0;
    expect(profiles(state)['openai:second']).toMatchObject({
      provider: 'openai',
      refresh: 'fake-codex-refresh-second',
    });

    const t1 = Date.now();
    writeFileSync(
      join(state, 'openclaw.json'),
      `${JSON.stringify({ agents: { defaults: { model: { primary: 'openai-codex/gpt-5.5' } } } }, null, 2)}\n`,
    );
    await waitFor('config renamed', () =>
      readFileSync(join(state, 'openclaw.json'), 'utf8').includes('"openai/gpt-5.5"'),
    );
    const configMs = Date.now() - t1;
    console.log(`rename healed: store ${storeMs} ms, config ${configMs} ms after the stale write`);
    // The guardian writes first and records each repair right after.
    const codes = () =>
      watchEvents(home)
        .filter((e) => e.kind === 'repaired')
        .map((e) => e.data.code);
    await waitFor('repairs recorded', () => codes().includes('legacy_provider_config'));
    expect(codes()).toContain('legacy_provider_id');
    await stopGuardian(g);
    if (hasOpenClaw('2026.9.6'))
      expect(openclawSees('2026.9.6', state, 'main')['openai:second']?.refresh).toBe(
        sha16('fake-codex-refresh-second'),
      );
  }, 90_000);
});
