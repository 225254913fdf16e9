import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cannotRunAsNobody, NOBODY, runCli } from '../helpers/processes.js';

describe('bad input: clear errors naming the file and the fix, nothing deleted', () => {
  let dir: string;
  let home: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-bad-'));
    home = join(dir, 'home');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a store file that is not SQLite is reported and left byte-for-byte untouched', async () => {
    mkdirSync(home, { mode: 0o700 });
    const file = join(home, 'clawkeep.sqlite');
    writeFileSync(file, 'this is not a database, it is a shopping list\n'.repeat(200), { mode: 0o600 });
    const before = readFileSync(file);
    const r = await runCli(home, ['profiles', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toContain('store_corrupt');
    expect(r.stderr).toContain(`mv ${file} ${file}.broken`);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('a store with a newer schema is refused, unchanged', async () => {
    mkdirSync(home, { mode: 0o700 });
    const file = join(home, 'clawkeep.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE profiles (id TEXT PRIMARY KEY, secret TEXT)');
    db.prepare('INSERT INTO profiles VALUES (?, ?)').run('future:1', 'fake-keep-me');
    db.pragma('user_version = 99');
    db.close();
    const r = await runCli(home, ['profiles', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('schema version 99');
    expect(r.stderr).toContain('upgrade clawkeep');
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(99);
    expect(check.prepare('SELECT secret FROM profiles').pluck().get()).toBe('fake-keep-me');
    check.close();
  });

  it('a home that is a file is refused with the fix', async () => {
    writeFileSync(home, 'x');
    const r = await runCli(home, ['profiles', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${home} is not a directory`);
    expect(readFileSync(home, 'utf8')).toBe('x');
  });

  const asNobody = cannotRunAsNobody();
  if (asNobody) console.warn(`[skip] an unreadable home: ${asNobody}`);
  it.skipIf(asNobody !== null)(
    'an unreadable home (another user’s 0700 dir) is refused naming the path',
    async () => {
      mkdirSync(home, { mode: 0o700 });
      // Run as nobody: root bypasses permission checks, so this is the honest way to be locked out.
      const r = await runCli(home, ['profiles', 'list'], NOBODY);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(home);
      expect(r.stderr).toMatch(/permission denied|cannot/);
    },
  );

  it('loose permissions are tightened (home 0700, store 0600) and said so', async () => {
    expect((await runCli(home, ['profiles', 'list'])).code).toBe(0);
    chmodSync(home, 0o755);
    chmodSync(join(home, 'clawkeep.sqlite'), 0o644);
    const r = await runCli(home, ['profiles', 'list']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('tightened permissions');
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, 'clawkeep.sqlite')).mode & 0o777).toBe(0o600);
  });

  it('add-oauth with malformed JSON names the field and stores nothing', async () => {
    const bad = await runCli(home, ['profiles', 'add-oauth', '--provider', 'anthropic', '--name', 'x'], {
      input: '{"access":"fake-a","refresh":42,"expires":"soon"}',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('refresh');
    expect(bad.stderr).toContain('expires');
    const notJson = await runCli(home, ['profiles', 'add-oauth', '--provider', 'anthropic', '--name', 'x'], {
      input: '{',
    });
    expect(notJson.stderr).toContain('not valid JSON');
    const list = await runCli(home, ['profiles', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('usage errors exit 2; an unknown provider lists the known ones', async () => {
    expect((await runCli(home, ['profiles', 'frobnicate'])).code).toBe(2);
    const r = await runCli(home, ['profiles', 'add-key', '--provider', 'nope', '--name', 'x'], {
      input: 'fake-key',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('known providers: openai-codex, anthropic');
  });
});
