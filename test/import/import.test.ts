import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { runCli } from '../helpers/processes.js';
import { rawDb, readRow as readStoredRow } from '../helpers/store-fixtures.js';
import { codexLogin, pastIssueSecond, writeCodexAuth } from '../linked/codex-files.js';

function readRow(home: string, id: string) {
  return existsSync(join(home, 'clawkeep.sqlite')) ? readStoredRow(home, id) : undefined;
}

function profileCount(home: string): number {
  if (!existsSync(join(home, 'clawkeep.sqlite'))) return 0;
  const db = rawDb(home);
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM profiles').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('clawkeep import codex | claude | pi', () => {
  let emu: Emulator;
  let dir: string;
  let home: string;
  const cli = (args: string[]) => runCli(home, args, { env: emu.env() });

  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.close());
  beforeEach((ctx) => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-import-'));
    home = join(dir, 'home');
    ctx.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  });

  it('codex: plan, refuses without --yes, imports tokens.refresh_token as a linked source', async () => {
    const t = await codexLogin(emu, 'ada@example.com');
    const codex = join(dir, 'codex');
    const file = writeCodexAuth(codex, t);

    const dry = await cli(['import', 'codex', '--codex-home', codex]);
    expect(dry.code).toBe(2);
    expect(dry.stdout).toMatch(/create\s+openai-codex:default\s+ada@example\.com/);
    expect(dry.stderr).toContain('confirm with --yes');
    expect(profileCount(home)).toBe(0);

    const r = await cli(['import', 'codex', '--codex-home', codex, '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('linked 1 source');
    expect(readRow(home, 'openai-codex:default')).toMatchObject({
      email: 'ada@example.com',
      refresh: t.refresh_token,
      type: 'oauth',
    });
    const status = JSON.parse((await cli(['models', 'status', '--json'])).stdout);
    expect(status[0].linkedSources).toEqual([{ kind: 'codex-auth-json', location: file }]);
    expect((await cli(['token', 'openai-codex:default'])).stdout.trim()).toBe(t.access_token);

    const again = await cli(['import', 'codex', '--codex-home', codex, '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/keep\s+openai-codex:default.*already the same tokens/);
    expect(profileCount(home)).toBe(1);
  });

  it('codex --move: archives auth.json as a 0600 backup, no linked source', async () => {
    const codex = join(dir, 'codex');
    const file = writeCodexAuth(codex, await codexLogin(emu, 'ada@example.com'));
    const original = readFileSync(file, 'utf8');
    const r = await cli(['import', 'codex', '--codex-home', codex, '--yes', '--move']);
    expect(r.code).toBe(0);
    expect(existsSync(file)).toBe(false);
    const backup = readdirSync(codex).find((f) => f.startsWith('auth.json.clawkeep-import.'));
    expect(backup).toBeTruthy();
    expect(statSync(join(codex, backup!)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(codex, backup!), 'utf8')).toBe(original);
    expect(JSON.parse((await cli(['models', 'status', '--json'])).stdout)[0].linkedSources).toEqual([]);
  });

  it('codex: a fresher source copy updates the stored profile of that account; an older one is brought in step', async () => {
    const older = await codexLogin(emu, 'ada@example.com');
    const codex = join(dir, 'codex');
    writeCodexAuth(codex, older);
    expect((await cli(['import', 'codex', '--codex-home', codex, '--yes', '--name', 'main'])).code).toBe(0);
    await pastIssueSecond(older.access_token); // the next login is visibly newer
    const newer = await codexLogin(emu, 'ada@example.com');
    const file = writeCodexAuth(codex, newer);
    const up = await cli(['import', 'codex', '--codex-home', codex, '--yes']);
    expect(up.stdout).toMatch(/update\s+openai-codex:main.*the source copy is fresher/);
    expect(readRow(home, 'openai-codex:main')).toMatchObject({ refresh: newer.refresh_token, generation: 2 });

    writeCodexAuth(codex, older);
    const keep = await cli(['import', 'codex', '--codex-home', codex, '--yes']);
    expect(keep.stdout).toMatch(/keep\s+openai-codex:main.*brought in step/);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(doc.tokens.refresh_token).toBe(newer.refresh_token);
    expect(doc.future_field).toEqual({ kept: true });
    expect(doc.tokens.id_token).toBe(older.id_token);
  });

  it('claude: .credentials.json with identity from .claude.json, unknown fields kept', async () => {
    const claude = join(dir, 'claude');
    mkdirSync(claude);
    writeFileSync(
      join(claude, '.credentials.json'),
      JSON.stringify({
        claudeAiOauth: {
          accessToken: 'fake-claude-access-1',
          refreshToken: 'fake-claude-refresh-1',
          expiresAt: Date.now() + 3_600_000,
          scopes: ['user:inference'],
          subscriptionType: 'max',
        },
        mcpOAuth: { kept: true },
      }),
      { mode: 0o600 },
    );
    writeFileSync(
      join(claude, '.claude.json'),
      JSON.stringify({ oauthAccount: { accountUuid: 'acct-fake-1', emailAddress: 'bo@example.com' } }),
    );
    const r = await cli(['import', 'claude', '--claude-home', claude, '--yes']);
    expect(r.code).toBe(0);
    expect(readRow(home, 'anthropic:default')).toMatchObject({
      email: 'bo@example.com',
      account_id: 'acct-fake-1',
      refresh: 'fake-claude-refresh-1',
    });
  });

  it('pi: imports its OAuth entries, notes the rest', async () => {
    const pi = join(dir, 'pi');
    mkdirSync(pi);
    const t = await codexLogin(emu, 'cy@example.com');
    writeFileSync(
      join(pi, 'auth.json'),
      JSON.stringify({
        anthropic: {
          type: 'oauth',
          access: 'fake-pi-access',
          refresh: 'fake-pi-refresh',
          expires: Date.now() + 3_000_000,
        },
        'openai-codex': {
          type: 'oauth',
          access: t.access_token,
          refresh: t.refresh_token,
          expires: Date.now() + 3_600_000,
        },
        'github-copilot': { type: 'oauth', access: 'x', refresh: 'y', expires: 1 },
        openai: { type: 'api_key', key: 'fake-key' },
      }),
    );
    const r = await cli(['import', 'pi', '--pi-home', pi, '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/note: .*github-copilot \(oauth\) left in pi/);
    expect(r.stdout).toMatch(/note: .*openai \(api_key\) left in pi/);
    expect(readRow(home, 'openai-codex:default')).toMatchObject({ email: 'cy@example.com' });
    expect(readRow(home, 'anthropic:default')).toMatchObject({ refresh: 'fake-pi-refresh' });
  });

  it.each([
    ['codex', 'auth.json', '{"tokens": {"access_token": "a"', /auth\.json: not valid JSON/],
    [
      'codex',
      'auth.json',
      '{"tokens": {"access_token": "fake-a", "id_token": "x"}}',
      /auth\.json: tokens\.refresh_token: expected a non-empty string/,
    ],
    ['codex', 'auth.json', '{"OPENAI_API_KEY": null}', /auth\.json: tokens: expected a ChatGPT login/],
    [
      'claude',
      '.credentials.json',
      '{"claudeAiOauth": {"accessToken": "fake-a", "refreshToken": "fake-r"}}',
      /\.credentials\.json: claudeAiOauth\.expiresAt: expected epoch milliseconds/,
    ],
    [
      'pi',
      'auth.json',
      '{"openai-codex": {"type": "oauth", "access": "fake-a", "refresh": "fake-r", "expires": 1}, "anthropic": {"type": "oauth", "access": "fake-a2", "refresh": "fake-r2", "expires": "soon"}}',
      /auth\.json: anthropic\.expires: expected epoch milliseconds/,
    ],
  ])(
    'malformed %s %s: clear error naming file and field, nothing imported',
    async (kind, file, text, message) => {
      const src = join(dir, kind);
      mkdirSync(src);
      writeFileSync(join(src, file), text);
      const r = await cli(['import', kind, `--${kind}-home`, src, '--yes']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain(join(src, file));
      expect(r.stderr).toContain('[source_invalid]');
      expect(profileCount(home)).toBe(0);
    },
  );
});
