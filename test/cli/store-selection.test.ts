import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, createTestDatabase } from '../helpers/postgres.js';
import { runCli } from '../helpers/processes.js';

const dbName = (url: string): string => new URL(url).pathname.slice(1);
const storedIds = async (url: string): Promise<string[]> =>
  (await adminQuery('SELECT id FROM profiles ORDER BY id', dbName(url))).rows.map((r) => r.id as string);

describe('choosing the store: CLAWKEEP_STORE, --store, config "store"', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-storesel-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('CLAWKEEP_STORE=postgres://… puts commands on PostgreSQL; the SQLite file is never created', async () => {
    const url = await createTestDatabase();
    const home = join(dir, 'env');
    const env = { CLAWKEEP_STORE: url };
    const add = await runCli(home, ['profiles', 'add-key', '--provider', 'openai', '--name', 'env'], {
      input: 'fake-key-env\n',
      env,
    });
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const list = await runCli(home, ['profiles', 'list', '--json'], { env });
    expect(JSON.parse(list.stdout).map((p: { id: string }) => p.id)).toEqual(['openai:env']);
    expect(await storedIds(url)).toEqual(['openai:env']);
    expect(existsSync(join(home, 'clawkeep.sqlite'))).toBe(false);
    const token = await runCli(home, ['token', 'openai:env'], { env });
    expect(token.stdout.trim()).toBe('fake-key-env');
  });

  it('--store URL does the same, before or after the command', async () => {
    const url = await createTestDatabase();
    const home = join(dir, 'flag');
    const add = await runCli(
      home,
      ['--store', url, 'profiles', 'add-key', '--provider', 'openai', '--name', 'flag'],
      { input: 'fake-key-flag\n' },
    );
    expect(add.code).toBe(0);
    const events = await runCli(home, ['events', '--store', url]);
    expect(events.code).toBe(0);
    expect(await storedIds(url)).toEqual(['openai:flag']);
    expect(existsSync(join(home, 'clawkeep.sqlite'))).toBe(false);
  });

  it('config "store: { url, passwordFile }" works with a password-less URL', async () => {
    const url = await createTestDatabase();
    const home = join(dir, 'config');
    const u = new URL(url);
    const password = decodeURIComponent(u.password);
    u.password = '';
    await runCli(home, ['profiles', 'list']); // creates the home (SQLite default)
    writeFileSync(join(home, 'pg-password'), `${password}\n`, { mode: 0o600 });
    writeFileSync(join(home, 'config.yaml'), `store:\n  url: ${u.toString()}\n  passwordFile: pg-password\n`);
    const add = await runCli(home, ['profiles', 'add-key', '--provider', 'openai', '--name', 'cfg'], {
      input: 'fake-key-cfg\n',
    });
    expect(add.stderr).toBe('');
    expect(await storedIds(url)).toEqual(['openai:cfg']);
  });

  it('SQLite stays the default, and a bad location or password is named without the password', async () => {
    const home = join(dir, 'default');
    const add = await runCli(home, ['profiles', 'add-key', '--provider', 'openai', '--name', 'lite'], {
      input: 'fake-key-lite\n',
    });
    expect(add.code).toBe(0);
    expect(existsSync(join(home, 'clawkeep.sqlite'))).toBe(true);

    const bad = await runCli(home, ['--store', 'mysql://u:s3cret-x@h/db', 'profiles', 'list']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--store');
    expect(bad.stderr).toContain('[config_invalid]');
    expect(bad.stderr).not.toContain('s3cret-x');

    const url = new URL(await createTestDatabase());
    url.password = 's3cret-wrong';
    const denied = await runCli(home, ['profiles', 'list'], { env: { CLAWKEEP_STORE: url.toString() } });
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain('[store_auth_failed]');
    expect(denied.stderr).not.toContain('s3cret-wrong');
  });
});
