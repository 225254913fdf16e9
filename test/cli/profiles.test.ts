import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/processes.js';

const oauth = (n: number) =>
  JSON.stringify({
    access: `fake-access-${n}`,
    refresh: `fake-refresh-${n}`,
    expires: Date.now() + 3_600_000,
  });

describe('clawkeep profiles / events', () => {
  let home: string;
  beforeEach(() => {
    home = join(mkdtempSync(join(tmpdir(), 'clawkeep-cli-')), 'home');
  });
  afterEach(() => rmSync(join(home, '..'), { recursive: true, force: true }));

  it('adds, lists with fingerprints only, replaces with --force, removes with a backup', async () => {
    expect(
      (
        await runCli(home, ['profiles', 'add-key', '--provider', 'openai', '--name', 'k'], {
          input: 'fake-key-123\n',
        })
      ).code,
    ).toBe(0);
    expect(
      (
        await runCli(home, ['profiles', 'add-oauth', '--provider', 'anthropic', '--name', 'a'], {
          input: oauth(1),
        })
      ).code,
    ).toBe(0);
    const dup = await runCli(home, ['profiles', 'add-oauth', '--provider', 'anthropic', '--name', 'a'], {
      input: oauth(2),
    });
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('--force');
    const forced = await runCli(
      home,
      ['profiles', 'add-oauth', '--provider', 'anthropic', '--name', 'a', '--force'],
      { input: oauth(2) },
    );
    expect(forced.stdout).toContain('generation 2');

    const table = await runCli(home, ['profiles', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('anthropic:a');
    expect(table.stdout).not.toMatch(/fake-(access|refresh|key)/);
    const json = JSON.parse((await runCli(home, ['profiles', 'list', '--json'])).stdout) as Array<
      Record<string, unknown>
    >;
    expect(json.map((p) => p.id)).toEqual(['anthropic:a', 'openai:k']);
    expect(json[0]).toMatchObject({
      generation: 2,
      status: 'ok',
      refreshFp: expect.stringMatching(/^[0-9a-f]{8}\/14$/),
    });
    const show = await runCli(home, ['profiles', 'show', 'anthropic:a']);
    expect(show.stdout).not.toMatch(/fake-/);

    expect((await runCli(home, ['profiles', 'rm', 'anthropic:a'])).code).toBe(2);
    const rm = await runCli(home, ['profiles', 'rm', 'anthropic:a', '--yes']);
    expect(rm.code).toBe(0);
    const [backup] = readdirSync(join(home, 'backups'));
    const file = join(home, 'backups', backup!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      id: 'anthropic:a',
      refresh: 'fake-refresh-2',
    });

    const events = await runCli(home, ['events', '--json']);
    const kinds = events.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { kind: string }).kind);
    expect(kinds).toEqual(['created', 'created', 'replaced', 'removed']);
    expect(events.stdout).not.toMatch(/fake-/);
  });

  it('never takes a secret from argv: add-key has no --key option', async () => {
    const r = await runCli(home, [
      'profiles',
      'add-key',
      '--provider',
      'openai',
      '--name',
      'k',
      '--key',
      'fake-key',
    ]);
    expect(r.code).toBe(2);
    expect(existsSync(join(home, 'clawkeep.sqlite'))).toBe(false);
  });

  it('--help works and lists the commands', async () => {
    const r = await runCli(home, ['--help']);
    expect(r.code).toBe(0);
    for (const c of ['profiles', 'events', 'token', 'emulator']) expect(r.stdout).toContain(c);
  });
});
