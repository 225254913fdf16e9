import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorControl, type MintedProfile } from './control-client.js';
import { type Emulator, startEmulator } from './server.js';
import { parseSse } from './sse.js';

const CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';
const REDIRECT = 'http://localhost:53692/callback';
const OAUTH_HEADERS = {
  'anthropic-version': '2023-06-01',
  'anthropic-beta': 'claude-code-20250219,oauth-2025-04-20',
};
const INVALID_GRANT = { error: 'invalid_grant', error_description: 'Refresh token not found or invalid' };
// Real prefixes, assembled so no line looks like a credential.
const ACCESS_PREFIX = `${['sk', 'ant'].join('-')}-oat01-`;
const REFRESH_PREFIX = `${['sk', 'ant'].join('-')}-ort01-`;

type Json = Record<string, unknown>;

describe('anthropic emulator', () => {
  let emu: Emulator;
  let control: EmulatorControl;

  async function token(body: Json): Promise<{ status: number; body: Json }> {
    const res = await fetch(emu.env().CLAWKEEP_ANTHROPIC_TOKEN_URL ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  }

  const refresh = (refreshToken: string) =>
    token({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID });

  async function messages(headers: Record<string, string>, body: Json): Promise<Response> {
    return fetch(`${emu.env().CLAWKEEP_ANTHROPIC_BASE_URL}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  const bearer = (p: MintedProfile) => ({ ...OAUTH_HEADERS, authorization: `Bearer ${p.access}` });
  const hello = {
    model: 'claude-sonnet-4-5',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'hello' }],
  };

  beforeAll(async () => {
    emu = await startEmulator();
    control = new EmulatorControl(emu.url);
  });
  afterAll(() => emu.close());

  it('runs the PKCE code flow, accepting a pasted code#state', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(emu.env().CLAWKEEP_ANTHROPIC_AUTHORIZE_URL ?? '');
    url.search = new URLSearchParams({
      code: 'true',
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'user:inference user:profile',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: verifier,
      login_hint: 'lin@example.com',
    }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location') ?? '');
    const code = back.searchParams.get('code') ?? '';
    const exchange = { grant_type: 'authorization_code', client_id: CLIENT_ID, redirect_uri: REDIRECT };

    const wrongState = await token({ ...exchange, code, state: 'other', code_verifier: verifier });
    expect(wrongState).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const res2 = await fetch(url, { redirect: 'manual' });
    const code2 = new URL(res2.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const ok = await token({ ...exchange, code: `${code2}#${verifier}`, code_verifier: verifier });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'user:inference user:profile',
      account: { email_address: 'lin@example.com' },
      organization: { name: "lin@example.com's Organization" },
    });
    expect(String(ok.body.access_token).startsWith(ACCESS_PREFIX)).toBe(true);
    expect(String(ok.body.refresh_token).startsWith(REFRESH_PREFIX)).toBe(true);
  });

  it('refuses a wrong code_verifier', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(emu.env().CLAWKEEP_ANTHROPIC_AUTHORIZE_URL ?? '');
    url.search = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: REDIRECT,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: 'abc',
    }).toString();
    const code = new URL(
      (await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '',
    ).searchParams.get('code');
    const res = await token({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT,
      code,
      state: 'abc',
      code_verifier: 'x'.repeat(43),
    });
    expect(res).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid code_verifier' },
    });
  });

  it('rotates refresh tokens; a reused one is invalid_grant', async () => {
    const p = await control.mint({ provider: 'anthropic', email: 'ops@example.com' });
    const first = await refresh(p.refresh);
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(p.refresh);
    expect(first.body.account).toEqual({ uuid: p.accountId, email_address: 'ops@example.com' });
    expect(await refresh(p.refresh)).toEqual({ status: 400, body: INVALID_GRANT });
    expect((await refresh(String(first.body.refresh_token))).status).toBe(200);
    expect(await refresh('nope')).toEqual({ status: 400, body: INVALID_GRANT });
  });

  it('has no device login, as Claude has none', async () => {
    expect(emu.env().CLAWKEEP_ANTHROPIC_DEVICE_URL).toBeUndefined();
    const res = await fetch(`${emu.url}/anthropic/api/accounts/deviceauth/usercode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: CLIENT_ID }),
    });
    expect(res.status).toBe(404);
  });

  describe('messages', () => {
    it('answers with an API key, non-streaming', async () => {
      const res = await messages({ 'x-api-key': 'sk-emu-test', 'anthropic-version': '2023-06-01' }, hello);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Json;
      expect(body).toMatchObject({
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [{ type: 'text', text: 'emulated anthropic reply to: hello' }],
        stop_reason: 'end_turn',
      });
      expect(String(body.id)).toMatch(/^msg_/);
      expect((body.usage as Json).input_tokens).toBeGreaterThan(0);
    });

    it('streams with an OAuth token', async () => {
      const p = await control.mint({ provider: 'anthropic' });
      const res = await messages(bearer(p), { ...hello, stream: true });
      expect(res.status).toBe(200);
      const events = parseSse(await res.text());
      const types = events.map((e) => e.event);
      expect(types[0]).toBe('message_start');
      expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
      const deltas = events
        .filter((e) => e.event === 'content_block_delta')
        .map((e) => (e.data as { delta: Json }).delta);
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.every((d) => d.type === 'text_delta')).toBe(true);
      expect(deltas.map((d) => d.text).join('')).toBe('emulated anthropic reply to: hello');
      const end = events.find((e) => e.event === 'message_delta')?.data as { delta: Json; usage: Json };
      expect(end.delta.stop_reason).toBe('end_turn');
      expect(end.usage.output_tokens).toBeGreaterThan(0);
    });

    it('uses a tool when asked, streaming and not', async () => {
      const p = await control.mint({ provider: 'anthropic' });
      const body = {
        ...hello,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Please use tool.' }] }],
        tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: {} } }],
      };
      const plain = (await (await messages(bearer(p), body)).json()) as {
        content: Json[];
        stop_reason: string;
      };
      expect(plain.stop_reason).toBe('tool_use');
      expect(plain.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: {} });

      const events = parseSse(await (await messages(bearer(p), { ...body, stream: true })).text());
      const start = events.find((e) => e.event === 'content_block_start')?.data as { content_block: Json };
      expect(start.content_block).toMatchObject({ type: 'tool_use', name: 'get_weather' });
      const json = events
        .filter((e) => e.event === 'content_block_delta')
        .map((e) => (e.data as { delta: Json }).delta)
        .map((d) => (d.type === 'input_json_delta' ? d.partial_json : '?'))
        .join('');
      expect(JSON.parse(json)).toEqual({});
      const end = events.find((e) => e.event === 'message_delta')?.data as { delta: Json } | undefined;
      expect(end?.delta.stop_reason).toBe('tool_use');
    });

    it('refuses OAuth without the beta header, bad keys and a missing version', async () => {
      const p = await control.mint({ provider: 'anthropic' });
      const noBeta = await messages(
        { authorization: `Bearer ${p.access}`, 'anthropic-version': '2023-06-01' },
        hello,
      );
      expect(noBeta.status).toBe(401);
      expect(await noBeta.json()).toEqual({
        type: 'error',
        error: { type: 'authentication_error', message: 'OAuth authentication is currently not supported.' },
      });
      const badKey = await messages({ 'x-api-key': 'sk-wrong', 'anthropic-version': '2023-06-01' }, hello);
      expect(badKey.status).toBe(401);
      const none = await messages({ 'anthropic-version': '2023-06-01' }, hello);
      expect(none.status).toBe(401);
      const unknown = await messages({ ...OAUTH_HEADERS, authorization: 'Bearer not-a-token' }, hello);
      expect(unknown.status).toBe(401);
      const noVersion = await messages(
        { authorization: `Bearer ${p.access}`, 'anthropic-beta': OAUTH_HEADERS['anthropic-beta'] },
        hello,
      );
      expect(noVersion.status).toBe(400);
      expect(((await noVersion.json()) as { error: Json }).error.type).toBe('invalid_request_error');
      const noMax = await messages(bearer(p), { model: 'm', messages: hello.messages });
      expect(noMax.status).toBe(400);
    });
  });
});
