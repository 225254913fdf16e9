import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { heldOpenClawLocks, runningMigration } from '../openclaw/locks.js';
import { readVersionState, versionKey } from './version-state.js';

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/openclaw');
const copy = (name: string) => {
  const d = mkdtempSync(join(tmpdir(), 'clawkeep-vs-'));
  cpSync(join(FIXTURES, name), d, { recursive: true });
  return d;
};

describe('OpenClaw version state', () => {
  it('changes with the store schema, the package version and migration receipts, not with credentials', () => {
    const state = copy('shared-2026.9');
    const pkg = mkdtempSync(join(tmpdir(), 'clawkeep-pkg-'));
    writeFileSync(join(pkg, 'package.json'), '{"name":"openclaw","version":"2026.9.6"}');
    const v1 = readVersionState(state, [pkg]);
    expect(v1.packageVersion).toBe('2026.9.6');
    expect(v1.stores['state/openclaw.sqlite']).toBe('v18 schema 18 app 2026.9.6');
    const db = new Database(join(state, 'state/openclaw.sqlite'));
    db.prepare(`UPDATE config_machine_state SET updated_at_ms = updated_at_ms + 1`).run();
    expect(versionKey(readVersionState(state, [pkg]))).toBe(versionKey(v1));
    db.prepare(`INSERT INTO migration_runs VALUES ('run-1', 1, NULL, 'running', '{}')`).run();
    db.close();
    const v2 = readVersionState(state, [pkg]);
    expect(v2.receipts).toEqual(['run-1:running:running']);
    expect(versionKey(v2)).not.toBe(versionKey(v1));
    writeFileSync(join(pkg, 'package.json'), '{"name":"openclaw","version":"2026.9.7"}');
    expect(versionKey(readVersionState(state, [pkg]))).not.toBe(versionKey(v2));
  });

  it('sees OpenClaw’s live locks and unfinished migrations, not dead or clawkeep’s own', () => {
    const state = copy('shared-2026.9');
    const now = Date.now();
    mkdirSync(join(state, 'locks/oauth-refresh'), { recursive: true });
    const lock = (name: string, pid: number) =>
      writeFileSync(
        join(state, 'locks/oauth-refresh', name),
        JSON.stringify({ pid, createdAt: new Date(now).toISOString() }),
      );
    lock('lock-dead.lock', 2 ** 22 + 12345);
    mkdirSync(join(state, '.clawkeep-doctor.lock'));
    expect(heldOpenClawLocks(state, now)).toEqual([]);
    lock('lock-live.lock', process.pid);
    expect(heldOpenClawLocks(state, now).map((l) => l.pid)).toEqual([process.pid]);
    // OpenClaw's refresh locks go stale after 180 s whatever the pid.
    expect(heldOpenClawLocks(state, now + 181_000)).toEqual([]);
    expect(runningMigration(state, now)).toBeNull();
    const db = new Database(join(state, 'state/openclaw.sqlite'));
    db.prepare(`INSERT INTO migration_runs VALUES ('run-2', ?, NULL, 'running', '{}')`).run(now - 1000);
    db.close();
    expect(runningMigration(state, now)).toContain('run-2');
  });
});
