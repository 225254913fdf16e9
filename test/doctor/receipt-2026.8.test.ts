import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { doctor, FIXTURES, hasOpenClaw, NODE24, openclawPackage, openclawSees, sha16 } from './helpers.js';

const ready = hasOpenClaw('2026.8.2') && hasOpenClaw('2026.5.28');

// openclaw#134608: 2026.8.1 archived auth-profiles.json and wrote a completed receipt while the store got
// no credentials; its doctor then refuses to import again. Reproduced with the real releases: 2026.5.28
// writes the JSON, 2026.8.2's own doctor --fix migrates it (receipt + `.migrated-…` archive), then the
// store's rows are emptied as that bug left them.
describe.skipIf(!ready)('OpenClaw 2026.8 receipt claiming success with no credentials', () => {
  it('is named, and --fix re-imports from the archive so 2026.8.2 loads the token again', async () => {
    const state = mkdtempSync(join(tmpdir(), 'clawkeep-oc-receipt-'));
    const env = { PATH: process.env.PATH ?? '', HOME: state, OPENCLAW_STATE_DIR: state };
    const cred = JSON.stringify({
      id: 'openai-codex:default',
      type: 'oauth',
      provider: 'openai-codex',
      access: 'fake-codex-access-r',
      refresh: 'fake-codex-refresh-r',
      expires: 1_999_999_999_999,
      accountId: 'acct-fake-codex',
    });
    const run = (args: string[]) => spawnSync(NODE24, args, { env, encoding: 'utf8' });
    expect(
      run([
        join(FIXTURES, 'openclaw-write.mjs'),
        openclawPackage('2026.5.28'),
        join(state, 'agents/main/agent'),
        cred,
      ]).status,
    ).toBe(0);
    run([join(openclawPackage('2026.8.2'), 'openclaw.mjs'), 'doctor', '--fix', '--non-interactive']);
    const db = new Database(join(state, 'state/openclaw.sqlite'));
    const receipts = db
      .prepare(
        `SELECT count(*) AS n FROM migration_sources WHERE migration_kind = 'auth-profile-json-to-sqlite-v2' AND status = 'completed'`,
      )
      .get() as { n: number };
    expect(receipts.n).toBe(1);
    db.prepare(
      `UPDATE config_machine_state SET value_json = '{"version":1,"profiles":{}}' WHERE state_key = 'authProfiles.store'`,
    ).run();
    db.close();
    expect(Object.keys(openclawSees('2026.8.2', state, 'main'))).toEqual([]);

    const diag = await doctor(state);
    expect(diag.stdout).toMatch(/\[receipt_without_credentials\]/);
    expect(diag.stdout).toMatch(/\[missing_from_store\]/);
    const fix = await doctor(state, ['--fix']);
    expect(fix.stdout).not.toMatch(/\[receipt_without_credentials\]/);
    const sees = openclawSees('2026.8.2', state, 'main');
    expect((sees['openai:default'] ?? sees['openai-codex:default'])?.refresh).toBe(
      sha16('fake-codex-refresh-r'),
    );
  }, 120_000);
});
