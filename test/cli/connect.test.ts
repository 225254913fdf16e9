import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/processes.js';

let dir: string;
let home: string;
let user: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'clawkeep-cli-connect-'));
  home = join(dir, 'clawkeep');
  user = join(dir, 'user');
  mkdirSync(user);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI with a private HOME, so each client's default config path lands under `user`. */
const cli = (args: string[]) => runCli(home, args, { env: { HOME: user } });

describe('clawkeep connect', () => {
  it('writes Claude Code settings under HOME, then --undo restores them and revokes the key', async () => {
    const settings = join(user, '.claude', 'settings.json');
    mkdirSync(join(user, '.claude'));
    writeFileSync(settings, '{\n  "model": "opus"\n}\n');
    const r = await cli(['connect', 'claude-code']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${settings} (0600); the previous file is kept as ${settings}.`);
    const written = JSON.parse(readFileSync(settings, 'utf8'));
    expect(written.model).toBe('opus');
    expect(written.env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:18790');
    expect(written.env.ANTHROPIC_AUTH_TOKEN).toMatch(/^ck_/);
    expect(r.stdout).not.toContain(written.env.ANTHROPIC_AUTH_TOKEN);
    // "run this" lines repeat how clawkeep was invoked (its --home too).
    expect(r.stdout).toContain(`undo: clawkeep --home ${home} connect claude-code --undo`);
    expect(r.stdout).toContain(`the gateway must be running: clawkeep --home ${home} gateway run`);
    const listed = JSON.parse((await cli(['clients', 'list', '--json'])).stdout);
    expect(listed.map((c: { name: string }) => c.name)).toEqual(['claude-code']);

    const again = await cli(['connect', 'claude-code']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already connected');

    const u = await cli(['connect', 'claude-code', '--undo']);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toContain('restored');
    expect(readFileSync(settings, 'utf8')).toBe('{\n  "model": "opus"\n}\n');
    expect(JSON.parse((await cli(['clients', 'list', '--json'])).stdout)).toEqual([]);
  });

  it('--print previews the Codex provider entry and changes nothing: no key, no file, no store', async () => {
    const r = await cli(['connect', 'codex', '--print', '--model', 'chain:main']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('model_provider = "clawkeep"');
    expect(r.stdout).toContain('[model_providers.clawkeep]');
    expect(r.stdout).toContain(
      `experimental_bearer_token = "<client key: clawkeep --home ${home} clients add codex --kind codex>"`,
    );
    expect(r.stdout).toContain('model = "chain:main"');
    expect(r.stdout).not.toMatch(/ck_/);
    expect(r.stderr).toContain('preview: no client key was created and no file was written');
    expect(r.stderr).toContain(`apply it: clawkeep --home ${home} connect codex --model chain:main`);
    expect(existsSync(join(user, '.codex'))).toBe(false);
    expect(existsSync(home), 'the preview created the clawkeep home').toBe(false);
  });

  it('previews leave no orphan keys: the real connect then gets the plain name, and --undo leaves no key', async () => {
    for (const client of ['codex', 'claude-code']) {
      const p = await cli(['connect', client, '--print']);
      expect(p.code, p.stderr).toBe(0);
    }
    expect(existsSync(home), 'the previews created the clawkeep home').toBe(false);
    const r = await cli(['connect', 'codex']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('with client codex\n');
    const names = async () =>
      JSON.parse((await cli(['clients', 'list', '--json'])).stdout).map((c: { name: string }) => c.name);
    expect(await names()).toEqual(['codex']);
    expect((await cli(['connect', 'codex', '--undo'])).code).toBe(0);
    expect(await names()).toEqual([]);
  });

  it.each([
    [['connect', 'cursor'], 'unknown client "cursor": use one of codex, claude-code, opencode, pi, openclaw'],
    [['connect', 'pi', '--api', 'grpc'], '--api grpc: use one of chat, responses, messages'],
    [['connect', 'claude-code', '--api', 'chat'], '--api chat: Claude Code speaks messages'],
    [['connect', 'pi', '--chain', 'nope'], '--chain nope: no such chain'],
    [['connect', 'opencode', '--undo'], 'opencode was not connected by clawkeep'],
    [['connect', 'pi', '--undo', '--print'], '--undo and --print do not go together'],
  ])('bad input %j is a usage error naming the flag', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
