import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EMAIL } from '../../src/emulator/accounts.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { ROOT } from '../helpers/processes.js';

/** The section of docs/emulator.md that tells a person how to log in against the emulator. */
function loginSection(): string {
  const doc = readFileSync(`${ROOT}docs/emulator.md`, 'utf8');
  const start = doc.indexOf('\n## Logging in against the emulator\n');
  expect(start, 'docs/emulator.md has no "## Logging in against the emulator" section').toBeGreaterThan(0);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';

describe('docs/emulator.md: logging in against the emulator', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.close());

  it('names each login mode, says the authorize page approves by itself, and names its user', () => {
    const section = loginSection();
    for (const mode of ['**Browser**', '**Pasted address**', '**Device code**'])
      expect(section).toContain(mode);
    expect(section).toMatch(/approves by itself/);
    expect(section).toContain(`\`${DEFAULT_EMAIL}\``);
    expect(section).toContain('login_hint');
  });

  it('as it says, the authorize page shows nothing and redirects at once with a code', async () => {
    const url = new URL(emu.env().CLAWKEEP_OPENAI_CODEX_AUTHORIZE_URL!);
    const verifier = randomBytes(32).toString('base64url');
    const params = {
      response_type: 'code',
      client_id: CODEX_CLIENT_ID,
      redirect_uri: 'http://localhost:1455/auth/callback',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: 'doc-state',
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(params.redirect_uri);
    expect(to.searchParams.get('code')).toBeTruthy();
    expect(to.searchParams.get('state')).toBe('doc-state');
  });

  it('the device command it gives approves a pending code', async () => {
    const curl = /`curl -s -d '([^']+)' (http:\/\/[^`\s]+)`/.exec(loginSection());
    expect(curl, 'the device-code item gives a curl command').not.toBeNull();
    const [, data, documented] = curl!;
    const issuer = emu
      .env()
      .CLAWKEEP_OPENAI_CODEX_DEVICE_URL!.replace(/\/api\/accounts\/deviceauth\/usercode$/, '');
    const json = (path: string, body: object) =>
      fetch(`${issuer}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const start = (await (
      await json('/api/accounts/deviceauth/usercode', { client_id: CODEX_CLIENT_ID })
    ).json()) as {
      device_auth_id: string;
      user_code: string;
    };
    const page = new URL(documented!);
    const approve = await fetch(`${emu.url}${page.pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: data!.replace('ABCD-EFGH', start.user_code),
    });
    expect(approve.status).toBe(200);
    const poll = await json('/api/accounts/deviceauth/token', start);
    expect(poll.status).toBe(200);
  });
});
