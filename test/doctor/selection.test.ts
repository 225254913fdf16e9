import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/processes.js';
import { copyFixture } from './helpers.js';

// No false all-clear: a selection that matches nothing is an error naming the path, never "no problems found".
describe('doctor: a --openclaw-home or --agent that selects nothing is an error (exit 2)', () => {
  let state: string;
  let tmp: string;
  let home: string;
  beforeAll(() => {
    state = copyFixture('json-single');
    tmp = mkdtempSync(join(tmpdir(), 'clawkeep-doctor-sel-'));
    home = join(tmp, 'home');
  });
  afterAll(() => {
    rmSync(state, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  const cases: Array<[string, () => string, RegExp, string | null]> = [
    ['a dir that does not exist', () => join(tmp, 'nope'), /does not exist/, null],
    ['a plain file', () => join(tmp, 'file'), /is not a directory/, null],
    ['an empty dir', () => join(tmp, 'empty'), /is not an OpenClaw state dir/, null],
    ['…/agents (one level off)', () => join(state, 'agents'), /is not an OpenClaw state dir/, 'state'],
    [
      '…/agents/main (two levels off)',
      () => join(state, 'agents', 'main'),
      /not an OpenClaw state dir/,
      'state',
    ],
  ];

  it.each(cases)('%s', async (_name, dirOf, what, parent) => {
    mkdirSync(join(tmp, 'empty'), { recursive: true });
    writeFileSync(join(tmp, 'file'), 'x');
    const dir = dirOf();
    const text = await runCli(home, ['doctor', '--openclaw-home', dir]);
    expect(text.code).toBe(2);
    expect(text.stdout).not.toContain('no problems found');
    expect(text.stderr).toContain(`--openclaw-home ${dir}`);
    expect(text.stderr).toMatch(what);
    expect(text.stderr).toContain('[openclaw_home_invalid]');
    if (parent) expect(text.stderr).toContain(`hint: pass --openclaw-home ${state}`);

    const json = await runCli(home, ['doctor', '--json', '--openclaw-home', dir]);
    expect(json.code).toBe(2);
    const { error } = JSON.parse(json.stdout) as { error: { code: string; message: string; hint: string } };
    expect(error.code).toBe('openclaw_home_invalid');
    expect(error.message).toContain(dir);
    expect(error.hint).toContain(parent ? `pass --openclaw-home ${state}` : 'the dir that holds agents/');
  });

  it.each(cases)(
    '$OPENCLAW_STATE_DIR naming %s gets the same checks (doctor and import)',
    async (_n, dirOf, what, parent) => {
      mkdirSync(join(tmp, 'empty'), { recursive: true });
      writeFileSync(join(tmp, 'file'), 'x');
      const dir = dirOf();
      // A HOME without ~/.openclaw: only the variable names a state dir.
      const env = { HOME: join(tmp, 'userhome'), OPENCLAW_STATE_DIR: dir };
      const text = await runCli(home, ['doctor'], { env });
      expect(text.code).toBe(2);
      expect(text.stdout).not.toContain('no problems found');
      expect(text.stderr).toContain(`OPENCLAW_STATE_DIR=${dir}`);
      expect(text.stderr).toMatch(what);
      expect(text.stderr).toContain('[openclaw_home_invalid]');
      expect(text.stderr).toContain(
        parent
          ? `hint: export OPENCLAW_STATE_DIR=${state}`
          : 'hint: set OPENCLAW_STATE_DIR to the OpenClaw state dir',
      );
      const json = await runCli(home, ['doctor', '--json', '--fix'], { env });
      expect(json.code).toBe(2);
      const { error } = JSON.parse(json.stdout) as { error: { code: string; message: string } };
      expect(error.code).toBe('openclaw_home_invalid');
      expect(error.message).toContain(`OPENCLAW_STATE_DIR=${dir}`);
      const imp = await runCli(home, ['import', 'openclaw', '--yes'], { env });
      expect(imp.code).toBe(2);
      expect(imp.stderr).toContain(`OPENCLAW_STATE_DIR=${dir}`);
      // --openclaw-home overrides the variable.
      const flag = await runCli(home, ['doctor', '--json', '--openclaw-home', state], { env });
      expect([0, 1]).toContain(flag.code);
    },
  );

  it('$OPENCLAW_STATE_DIR naming a real state dir is diagnosed', async () => {
    const r = await runCli(home, ['doctor', '--json'], {
      env: { HOME: join(tmp, 'userhome'), OPENCLAW_STATE_DIR: state },
    });
    expect([0, 1]).toContain(r.code);
    expect(JSON.parse(r.stdout).openclawHomes).toEqual([state]);
  });

  it('an --agent that is not there names the agents that are', async () => {
    const r = await runCli(home, ['doctor', '--openclaw-home', state, '--agent', 'mian']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join(state, 'agents', 'mian'));
    expect(r.stderr).toContain('expected one of: main, work');
    const json = await runCli(home, ['doctor', '--json', '--openclaw-home', state, '--agent', 'mian']);
    expect(JSON.parse(json.stdout).error).toMatchObject({
      code: 'openclaw_home_invalid',
      hint: 'pass one of: --agent main, --agent work',
    });
  });

  it('a real state dir with a real agent still runs; implicit default homes that do not exist stay silent', async () => {
    const ok = await runCli(home, ['doctor', '--openclaw-home', state, '--agent', 'work', '--json']);
    expect([0, 1]).toContain(ok.code);
    expect(JSON.parse(ok.stdout).openclawHomes).toEqual([state]);
    // HOME without ~/.openclaw and no OPENCLAW_STATE_DIR: clawkeep's own store is still diagnosed.
    const none = await runCli(home, ['doctor', '--json'], { env: { HOME: join(tmp, 'userhome') } });
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout).openclawHomes).toEqual([]);
  });

  it('import openclaw refuses the same bad --openclaw-home before reading anything', async () => {
    const r = await runCli(home, ['import', 'openclaw', '--openclaw-home', join(state, 'agents'), '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`hint: pass --openclaw-home ${state}`);
  });

  it('--dry-run without --fix is a usage error', async () => {
    const r = await runCli(home, ['doctor', '--openclaw-home', state, '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--dry-run only goes with --fix');
    expect(r.stderr).toContain('[usage]');
    const json = await runCli(home, ['doctor', '--json', '--dry-run']);
    expect(JSON.parse(json.stdout).error.code).toBe('usage');
  });
});
