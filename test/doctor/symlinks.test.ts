import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import { runDoctor } from '../../src/doctor/index.js';
import { scanOpenClawHome } from '../../src/openclaw/scan.js';
import { openStore } from '../../src/store/open-store.js';
import { agentDir, fakeJwt, writeAgentSqlite, writeJsonStore } from './state-builder.js';

function captureIo(): Io & { outText: string[]; errText: string[] } {
  const outText: string[] = [];
  const errText: string[] = [];
  return {
    out: (t) => outText.push(t),
    err: (t) => errText.push(t),
    stdin: process.stdin,
    isTTY: false,
    outText,
    errText,
  };
}

describe('links out of the state dir or the clawkeep home are never followed', () => {
  let dir: string;
  let state: string;
  let outside: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-links-'));
    state = join(dir, 'state');
    outside = join(dir, 'outside');
    mkdirSync(state, { mode: 0o700 });
    mkdirSync(outside, { mode: 0o755 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Every file under `outside`, with its bytes and mode: must be the same after the doctor ran. */
  const snapshot = () =>
    readdirSync(outside, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const p = join(e.parentPath, e.name);
        return [p, readFileSync(p, 'utf8'), statSync(p).mode & 0o777];
      })
      .sort();

  it('agents/<id>/agent, state/ and a single credential file linking out: reported, not read, not repaired', async () => {
    const profile = {
      type: 'oauth',
      provider: 'openai',
      access: fakeJwt(100, 200),
      refresh: 'fake-r-out',
      expires: 200_000,
    };
    // An agent dir that is a link out.
    mkdirSync(join(outside, 'agent'));
    writeJsonStore(join(outside, 'agent', 'auth-profiles.json'), { 'openai:x': profile });
    writeFileSync(
      join(outside, 'agent', 'auth.json'),
      '{"openai":{"type":"oauth","refresh":"fake-r-legacy"}}',
      { mode: 0o644 },
    );
    mkdirSync(join(state, 'agents', 'a'), { recursive: true });
    symlinkSync(join(outside, 'agent'), join(state, 'agents', 'a', 'agent'));
    // state/ linking out, holding a shared store.
    mkdirSync(join(outside, 'shared'));
    writeAgentSqlite(join(outside, 'shared', 'openclaw.sqlite'), 'main', {});
    symlinkSync(join(outside, 'shared'), join(state, 'state'));
    // One file of a real agent dir linking out (a leftover the doctor would otherwise archive).
    const b = agentDir(state, 'b');
    writeAgentSqlite(join(b, 'openclaw-agent.sqlite'), 'b', {});
    writeFileSync(join(outside, 'legacy-auth.json'), '{"openai":{"type":"oauth","refresh":"fake-r-2"}}', {
      mode: 0o644,
    });
    symlinkSync(join(outside, 'legacy-auth.json'), join(b, 'auth.json'));

    const scan = scanOpenClawHome(state);
    const problems = scan.problems
      .filter((p) => p.code === 'symlink_outside')
      .map((p) => p.path)
      .sort();
    expect(problems).toEqual(
      [join(state, 'agents', 'a', 'agent'), join(b, 'auth.json'), join(state, 'state')].sort(),
    );
    expect(scan.sharedDb).toBeNull();
    expect(scan.agents.find((a) => a.id === 'a')?.primary).toBeNull();
    expect(scan.credentialFiles.some((f) => f.startsWith(outside))).toBe(false);
    expect(scan.dirs.some((d) => d === join(state, 'agents', 'a', 'agent'))).toBe(false);

    const before = snapshot();
    const report = await runDoctor({ clawkeepHome: join(dir, 'home'), openclawHomes: [state], fix: true });
    const codes = report.checks.flatMap((c) => c.findings.map((f) => [f.code, f.path]));
    expect(codes).toContainEqual(['symlink_outside', join(state, 'agents', 'a', 'agent')]);
    expect(report.fixes?.some((f) => f.finding.path?.startsWith(outside))).toBe(false);
    expect(snapshot()).toEqual(before);
  });

  it('profiles rm refuses to write its backup through a linked backups/ and keeps the profile', async () => {
    const home = join(dir, 'home');
    const io = captureIo();
    expect(await main(['node', 'clawkeep', '--home', home, 'profiles', 'list'], io)).toBe(0);
    // A key profile via the store directly keeps the test free of stdin plumbing.
    const { store } = openStore({ home });
    await store.insertProfile({ id: 'openai:k', type: 'api_key', access: 'sk-fake-linked' }, Date.now());
    await store.close();
    symlinkSync(outside, join(home, 'backups'));
    const rm = captureIo();
    const code = await main(['node', 'clawkeep', '--home', home, 'profiles', 'rm', 'openai:k', '--yes'], rm);
    expect(code).not.toBe(0);
    expect(rm.errText.join('\n')).toContain(`${join(home, 'backups')} is a symbolic link`);
    expect(rm.errText.join('\n')).toContain('[home_unusable]');
    expect(readdirSync(outside)).toEqual([]);
    const again = openStore({ home }).store;
    expect(await again.getProfile('openai:k')).not.toBeNull();
    await again.close();
  });
});
