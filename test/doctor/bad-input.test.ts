import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cannotRunAsNobody, NOBODY, runCli } from '../helpers/processes.js';
import { agentDir, writeAgentSqlite } from './state-builder.js';

describe('doctor: bad input is reported with its path and left untouched', () => {
  let dir: string;
  let state: string;
  let home: string;
  const files: Record<string, string> = {};
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-doctor-bad-'));
    state = join(dir, 'state');
    home = join(dir, 'home');
    mkdirSync(state, { mode: 0o700 });
    files.truncated = join(agentDir(state, 'truncated'), 'auth-profiles.json');
    writeFileSync(files.truncated, '{"version":1,"profiles":{"openai:default":{"type":"oauth","refr', {
      mode: 0o600,
    });
    files.wrongTypes = join(agentDir(state, 'wrong-types'), 'auth-profiles.json');
    writeFileSync(files.wrongTypes, '{"version":1,"profiles":[1,2,3]}\n', { mode: 0o600 });
    files.notDb = join(agentDir(state, 'not-a-db'), 'openclaw-agent.sqlite');
    writeFileSync(files.notDb, 'this is not a database\n'.repeat(100), { mode: 0o600 });
    // A leftover JSON beside the broken database: it must not be archived, the store was not written.
    files.besideNotDb = join(state, 'agents/not-a-db/agent/auth-profiles.json');
    writeFileSync(
      files.besideNotDb,
      '{"version":1,"profiles":{"openai:x":{"type":"oauth","provider":"openai","refresh":"fake-r"}}}\n',
      {
        mode: 0o600,
      },
    );
    const outside = join(dir, 'outside');
    mkdirSync(join(outside, 'agent'), { recursive: true });
    files.outside = join(outside, 'agent', 'auth-profiles.json');
    writeFileSync(files.outside, '{"version":1,"profiles":{}}\n', { mode: 0o644 });
    symlinkSync(outside, join(state, 'agents', 'linked'));
    writeAgentSqlite(join(agentDir(state, 'good'), 'openclaw-agent.sqlite'), 'good', {});
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const snapshot = () => Object.fromEntries(Object.entries(files).map(([k, p]) => [k, readFileSync(p)]));

  it('truncated JSON, wrong types, not-a-database, symlink out of the state dir: findings with paths; --fix changes none', async () => {
    const before = snapshot();
    const r = await runCli(home, ['doctor', '--openclaw-home', state, '--json']);
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout).checks.flatMap((c: { findings: unknown[] }) => c.findings);
    const byPath = (p: string) =>
      findings.filter((f: { path?: string }) => f.path === p).map((f: { code: string }) => f.code);
    expect(byPath(files.truncated!)).toContain('invalid_json');
    expect(byPath(files.wrongTypes!)).toContain('wrong_shape');
    expect(byPath(files.notDb!)).toContain('not_sqlite');
    expect(byPath(join(state, 'agents', 'linked'))).toContain('symlink_outside');

    const fix = await runCli(home, ['doctor', '--openclaw-home', state, '--fix']);
    expect(fix.code).toBe(1);
    expect(fix.stdout).toContain(files.notDb);
    const after = snapshot();
    for (const k of Object.keys(before)) expect(after[k]!.equals(before[k]!), k).toBe(true);
  });

  const asNobody = cannotRunAsNobody();
  if (asNobody) console.warn(`[skip] an unreadable credential file: ${asNobody}`);
  it.skipIf(asNobody !== null)(
    'an unreadable credential file is a finding naming it, not a crash',
    async () => {
      chmodSync(dir, 0o755);
      chmodSync(state, 0o755);
      for (const a of ['truncated', 'wrong-types', 'not-a-db', 'good']) {
        chmodSync(join(state, 'agents', a), 0o755);
        chmodSync(join(state, 'agents', a, 'agent'), 0o755);
      }
      chmodSync(join(state, 'agents'), 0o755);
      const locked = join(state, 'agents/truncated/agent/auth-profiles.json');
      chmodSync(locked, 0o600);
      // Run as nobody: root reads everything, so this is the honest way to be locked out.
      const r = await runCli(join(dir, 'nobody-home'), ['doctor', '--openclaw-home', state], NOBODY);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        new RegExp(`\\[unreadable\\] cannot read ${locked.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      );
    },
  );
});
