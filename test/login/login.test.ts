import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { runCli } from '../helpers/processes.js';
import { rawDb, readRow as readStoredRow } from '../helpers/store-fixtures.js';
import {
  authorizeInBrowser,
  authorizeUrlOf,
  followRedirect,
  freePort,
  occupy,
  startInteractive,
} from './interactive.js';

/** The stored row, or undefined when there is none (or no store yet: nothing was ever saved). */
function readRow(home: string, id: string) {
  return existsSync(join(home, 'clawkeep.sqlite')) ? readStoredRow(home, id) : undefined;
}

describe('models auth login against the emulator', () => {
  let emu: Emulator;
  let home: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.close());
  beforeEach(async (ctx) => {
    home = join(mkdtempSync(join(tmpdir(), 'clawkeep-login-')), 'home');
    env = { ...emu.env(), CLAWKEEP_LOGIN_CALLBACK_PORTS: `${await freePort()},${await freePort()}` };
    ctx.onTestFinished(() => rmSync(join(home, '..'), { recursive: true, force: true }));
  });

  const login = (args: string[], extraEnv: Record<string, string> = {}) =>
    startInteractive(home, ['models', 'auth', 'login', ...args], { ...env, ...extraEnv });

  it('browser flow end to end: PKCE S256, callback server, account and email from the claims', async () => {
    const p = login(['--provider', 'openai-codex']);
    const url = await authorizeUrlOf(p);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toBeTruthy();
    const location = await authorizeInBrowser(url, 'ada@example.com');
    const callback = await followRedirect(location);
    expect(callback.status).toBe(200);
    const r = await p.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('signed in as ada@example.com');
    const row = readRow(home, 'openai-codex:default')!;
    expect(row).toMatchObject({ email: 'ada@example.com', type: 'oauth', generation: 1, status: 'ok' });
    expect(row.account_id).toMatch(/^[0-9a-f-]{36}$/);

    const status = await runCli(home, ['models', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual([
      expect.objectContaining({
        id: 'openai-codex:default',
        email: 'ada@example.com',
        status: 'ok',
        fix: null,
      }),
    ]);
  });

  it('anthropic: its own callback, identity from the token answer', async () => {
    const p = login(['--provider', 'anthropic', '--name', 'work']);
    const url = await authorizeUrlOf(p);
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+\/callback$/);
    expect((await followRedirect(await authorizeInBrowser(url, 'bo@example.com'))).status).toBe(200);
    expect((await p.done).code).toBe(0);
    expect(readRow(home, 'anthropic:work')).toMatchObject({ email: 'bo@example.com', status: 'ok' });
  });

  it('rejects a callback whose state does not match, and keeps waiting for the real one', async () => {
    const p = login(['--provider', 'openai-codex']);
    const url = await authorizeUrlOf(p);
    const location = await authorizeInBrowser(url, 'ada@example.com');
    const forged = new URL(location);
    forged.searchParams.set('state', 'forged-state');
    const rejected = await followRedirect(forged);
    expect(rejected.status).toBe(400);
    expect(rejected.body).toContain('State mismatch');
    await p.waitFor(/state that does not match/);
    expect(readRow(home, 'openai-codex:default')).toBeUndefined();
    expect((await followRedirect(location)).status).toBe(200);
    expect((await p.done).code).toBe(0);
  });

  it('rejects a pasted redirect from another login (state mismatch): nothing stored', async () => {
    const p = login(['--provider', 'openai-codex']);
    const location = await authorizeInBrowser(await authorizeUrlOf(p), 'ada@example.com');
    location.searchParams.set('state', 'another-login');
    p.paste(location.toString());
    const r = await p.done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/state that does not match.*\[login_failed\]/);
    expect(readRow(home, 'openai-codex:default')).toBeUndefined();
  });

  it('takes 1457 when 1455 is taken (the registered OpenAI ports, no override)', async () => {
    const held = await occupy(1455);
    try {
      const p = login(['--provider', 'openai-codex'], { CLAWKEEP_LOGIN_CALLBACK_PORTS: '' });
      const url = await authorizeUrlOf(p);
      expect(url.searchParams.get('redirect_uri')).toBe('http://localhost:1457/auth/callback');
      const location = await authorizeInBrowser(url, 'ada@example.com');
      expect(location.port).toBe('1457');
      expect((await followRedirect(location)).status).toBe(200);
      expect((await p.done).code).toBe(0);
    } finally {
      await new Promise((r) => held.close(r));
    }
  });

  it('pasted redirect URL when every callback port is taken (headless host)', async () => {
    const port = await freePort();
    const held = await occupy(port);
    try {
      const p = login(['--provider', 'openai-codex'], { CLAWKEEP_LOGIN_CALLBACK_PORTS: String(port) });
      const url = await authorizeUrlOf(p);
      await p.waitFor(/are taken: paste/);
      const location = await authorizeInBrowser(url, 'ada@example.com');
      p.paste(location.toString());
      const r = await p.done;
      expect(r.code).toBe(0);
      expect(readRow(home, 'openai-codex:default')).toMatchObject({ email: 'ada@example.com' });
    } finally {
      await new Promise((r) => held.close(r));
    }
  });

  it('stdin closed (EOF from a pipe, not a person) ends the paste prompt; the browser callback still completes the login', async () => {
    const p = login(['--provider', 'openai-codex']);
    const url = await authorizeUrlOf(p);
    p.child.stdin!.end();
    await sleep(300);
    expect(p.child.exitCode).toBeNull(); // still waiting for the browser
    await followRedirect(await authorizeInBrowser(url, 'eof@example.com'));
    const r = await p.done;
    expect(r.code).toBe(0);
    expect(readRow(home, 'openai-codex:default')).toMatchObject({ email: 'eof@example.com' });
  });

  it("pasted code#state (Anthropic's manual form) while the callback server waits", async () => {
    const p = login(['--provider', 'anthropic']);
    const location = await authorizeInBrowser(await authorizeUrlOf(p), 'bo@example.com');
    p.paste(`${location.searchParams.get('code')}#${location.searchParams.get('state')}`);
    expect((await p.done).code).toBe(0);
    expect(readRow(home, 'anthropic:default')).toMatchObject({ email: 'bo@example.com' });
  });

  it("device-code flow (OpenAI's, as Codex CLI runs it): shows the page and code, polls until the user approves", async () => {
    const p = login(['--provider', 'openai-codex', '--device']);
    const page = await p.waitFor(/Open (\S+) and enter the code:/);
    const code = await p.waitFor(/^ {2}([A-Z]{4}-[A-Z]{4})$/m);
    const approve = new URL(page[1]!);
    expect(approve.pathname).toBe('/openai-codex/codex/device');
    approve.searchParams.set('user_code', code[1]!);
    approve.searchParams.set('login_hint', 'dev@example.com');
    expect((await fetch(approve)).status).toBe(200);
    const r = await p.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('signed in as dev@example.com');
    expect(readRow(home, 'openai-codex:default')).toMatchObject({ email: 'dev@example.com' });
  });

  it('device-code flow as the CLI tells a person: the page it names is a form; typing the code there signs in', async () => {
    const p = login(['--provider', 'openai-codex', '--device']);
    const page = (await p.waitFor(/Open (\S+) and enter the code:/))[1]!;
    const code = (await p.waitFor(/^ {2}([A-Z]{4}-[A-Z]{4})$/m))[1]!;
    const form = await fetch(page);
    expect(form.status).toBe(200);
    const action = /<form method="post" action="([^"]+)">/.exec(await form.text())?.[1];
    expect(action).toBeDefined();
    const submitted = await fetch(new URL(action!, page), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user_code: code, login_hint: 'typed@example.com' }).toString(),
    });
    expect(submitted.status).toBe(200);
    const r = await p.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('signed in as typed@example.com');
    expect(readRow(home, 'openai-codex:default')).toMatchObject({ email: 'typed@example.com' });
  });

  it('--device with a device-code timeout: exit 2, login_timeout, nothing stored', async () => {
    const p = login(['--provider', 'openai-codex', '--device', '--timeout', '1']);
    const r = await p.done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/device login was not approved in time.*\[login_timeout\]/);
    expect(readRow(home, 'openai-codex:default')).toBeUndefined();
  });

  it('times out cleanly: exit 2, login_timeout, nothing stored, port released', async () => {
    const p = login(['--provider', 'openai-codex', '--timeout', '1']);
    const r = await p.done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no login arrived within 1 s.*\[login_timeout\]/);
    expect(readRow(home, 'openai-codex:default')).toBeUndefined();
  });

  async function loginAs(email: string, extra: string[] = []) {
    const p = login(['--provider', 'openai-codex', ...extra]);
    const url = await authorizeUrlOf(p);
    await followRedirect(await authorizeInBrowser(url, email));
    return p.done;
  }

  it('same account again replaces the credential (generation +1, clears needs_reauth); another account needs --force', async () => {
    expect((await loginAs('ada@example.com')).code).toBe(0);
    const db = rawDb(home);
    db.prepare(
      "UPDATE profiles SET status = 'needs_reauth', status_reason = 'refresh_token_reused' WHERE id = ?",
    ).run('openai-codex:default');
    db.close();
    const status = await runCli(home, ['models', 'status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(
      `clawkeep --home ${home} models auth login --provider openai-codex --name default`,
    );

    const again = await loginAs('ada@example.com');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('replaced openai-codex:default (generation 2');
    expect(readRow(home, 'openai-codex:default')).toMatchObject({ status: 'ok', generation: 2 });

    const other = await loginAs('eve@example.com');
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(
      /holds ada@example\.com, but you signed in as eve@example\.com.*\[profile_exists\]/,
    );
    expect(readRow(home, 'openai-codex:default')).toMatchObject({ email: 'ada@example.com', generation: 2 });

    const forced = await loginAs('eve@example.com', ['--force']);
    expect(forced.code).toBe(0);
    expect(readRow(home, 'openai-codex:default')).toMatchObject({ email: 'eve@example.com', generation: 3 });
  });
});
