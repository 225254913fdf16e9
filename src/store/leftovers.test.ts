import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  findLeftovers,
  isAbandoned,
  matchLeftover,
  matchOwnTemp,
  sweepDirs,
  sweepLeftovers,
} from './leftovers.js';

describe('matchLeftover', () => {
  it.each([
    ['auth-profiles.json.1790000000000.bak.tmp-4242-deadbeef', { kind: 'temp_file', pid: 4242 }],
    ['profile.json.tmp-1-0a', { kind: 'temp_file', pid: 1 }],
    ['gateway.pid.777.tmp', { kind: 'stale_pidfile', pid: 777 }],
    ['gateway.pid.stale.1790000000000', { kind: 'stale_pidfile', pid: null }],
    ['gateway.pid', null],
    ['clawkeep.sqlite', null],
    ['notes.tmp', null],
    ['x.tmp-abc-12', null],
  ] as const)('%s → %j', (name, want) => {
    expect(matchLeftover(name)).toEqual(want);
  });
});

describe('isAbandoned', () => {
  const now = 10 * 3_600_000;
  const l = (ageMs: number, pid: number | null) => ({
    path: 'x',
    kind: 'temp_file' as const,
    pid,
    mtimeMs: now - ageMs,
  });
  it.each([
    ['writer dead, 2 min old', l(120_000, 4242), false, true],
    ['writer alive, 2 min old', l(120_000, 4242), true, false],
    ['writer dead, 10 s old (maybe another container mid-write)', l(10_000, 4242), false, false],
    ['writer "alive", 2 h old (pid reused)', l(7_200_000, 4242), true, true],
    ['no pid, 2 min old', l(120_000, null), true, true],
    ['this process', l(120_000, process.pid), false, false],
  ])('%s → %s', (_name, leftover, alive, want) => {
    expect(isAbandoned(leftover, now, () => alive)).toBe(want);
  });
});

describe('sweepLeftovers', () => {
  const home = mkdtempSync(join(tmpdir(), 'clawkeep-leftovers-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('removes abandoned temp files and pid records, keeps young ones, real files and symlinks', () => {
    mkdirSync(join(home, 'backups'));
    const old = (path: string) => {
      writeFileSync(path, '{"refresh":"rt-fake"}');
      utimesSync(path, new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));
      return path;
    };
    const gone = [
      old(join(home, 'backups', 'p.json.1.bak.tmp-999999999-ab')),
      old(join(home, 'gateway.pid.stale.1790000000000')),
    ];
    const young = join(home, `x.tmp-999999999-cd`);
    writeFileSync(young, 'x');
    writeFileSync(join(home, 'clawkeep.sqlite'), '');
    symlinkSync('/etc/hostname', join(home, 'evil.tmp-999999999-ef'));
    expect(sweepLeftovers(home).sort()).toEqual(gone.sort());
    expect(findLeftovers([home]).map((l) => l.path)).toEqual([young]);
  });
});

describe('leftovers in a dir clawkeep shares with other tools (a linked ~/.codex, an OpenClaw agent dir)', () => {
  const shared = mkdtempSync(join(tmpdir(), 'clawkeep-leftovers-shared-'));
  afterAll(() => rmSync(shared, { recursive: true, force: true }));

  it('matches only clawkeep-marked temp names there', () => {
    expect(matchOwnTemp('auth.json.clawkeep.tmp-4242-0123abcd')).toEqual({ kind: 'temp_file', pid: 4242 });
    for (const name of [
      'auth.json.tmp-4242-1790000000000', // OpenClaw's own temp files look like this
      'auth.json.tmp-4242-deadbeef', // clawkeep's unmarked name of old: not provably ours here
      'auth.json.3735928559', // write-file-atomic's
      'auth.json.clawkeep.tmp-4242-0123', // not our shape
      'gateway.pid.stale.1790000000000',
    ])
      expect(matchOwnTemp(name), name).toBeNull();
  });

  it('removes only abandoned marked temp files, never the tools’ or the user’s files', () => {
    const old = (name: string) => {
      const path = join(shared, name);
      writeFileSync(path, '{"refresh":"rt-fake"}');
      utimesSync(path, new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));
      return path;
    };
    const ours = old('auth.json.clawkeep.tmp-999999999-0123abcd');
    const theirs = [
      old('auth.json.tmp-999999999-1790000000000'),
      old('auth.json.tmp-999999999-deadbeef'),
      old('auth.json.3735928559'),
      old('auth.json.bak'),
      old('gateway.pid.stale.1790000000000'),
    ];
    symlinkSync('/etc/hostname', join(shared, 'x.clawkeep.tmp-999999999-89abcdef'));
    expect(sweepDirs([{ shared }])).toEqual([ours]);
    expect(readdirSync(shared).length).toBe(theirs.length + 1);
  });
});
