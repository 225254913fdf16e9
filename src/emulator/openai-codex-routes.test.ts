import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorControl } from './control-client.js';
import { type Emulator, startEmulator } from './server.js';
import { parseSse } from './sse.js';

const CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
const REDIRECT = 'http://localhost:1455/auth/callback';
const REUSED = {
  error: {
    message:
      'Your refresh token has already been used to generate a new access token. Please try signing in again.',
    type: 'invalid_request_error',
    param: null,
    code: 'refresh_token_reused',
  },
};

type Json = Record<string, unknown>;

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('openai-codex emulator', () => {
  let emu: Emulator;
  let control: EmulatorControl;
  let tokenUrl: string;

  async function token(body: Json, form = false): Promise<{ status: number; body: Json }> {
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
      body: form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  }

  const refresh = (refreshToken: string) =>
    token({ client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: refreshToken });

  async function authorize(params: Record<string, string>): Promise<Response> {
    const url = new URL(`${emu.url}/openai-codex/oauth/authorize`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return fetch(url, { redirect: 'manual' });
  }

  beforeAll(async () => {
    emu = await startEmulator();
    control = new EmulatorControl(emu.url);
    tokenUrl = emu.env().CLAWKEEP_OPENAI_CODEX_TOKEN_URL ?? '';
  });
  afterAll(() => emu.close());

  describe('authorization code with PKCE', () => {
    it('redirects with a code, exchanges it once for signed tokens with the real claims', async () => {
      const { verifier, challenge } = pkce();
      const res = await authorize({
        client_id: CLIENT_ID,
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid profile email offline_access',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 'st-1',
        login_hint: 'ada@example.com',
      });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
      expect(location.searchParams.get('state')).toBe('st-1');
      const code = location.searchParams.get('code') ?? '';

      const exchange = {
        grant_type: 'authorization_code',
        client_id: CLIENT_ID,
        code,
        code_verifier: verifier,
        redirect_uri: REDIRECT,
      };
      const ok = await token(exchange, true);
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'openid profile email offline_access',
      });
      expect(ok.body.refresh_token).toMatch(/^rt_[A-Za-z0-9_-]{40,}$/);

      const jwks = (await (
        await fetch(`${emu.url}/openai-codex/.well-known/jwks.json`)
      ).json()) as JSONWebKeySet;
      const keys = createLocalJWKSet(jwks);
      const { payload, protectedHeader } = await jwtVerify(String(ok.body.access_token), keys, {
        issuer: 'https://auth.openai.com',
        audience: 'https://api.openai.com/v1',
      });
      expect(protectedHeader.alg).toBe('RS256');
      expect(payload).toMatchObject({
        client_id: CLIENT_ID,
        scp: ['openid', 'profile', 'email', 'offline_access'],
        'https://api.openai.com/auth': { chatgpt_plan_type: 'plus' },
        'https://api.openai.com/profile': { email: 'ada@example.com', email_verified: true },
      });
      expect(payload.exp).toBe((payload.iat ?? 0) + 3600);
      expect(payload.nbf).toBe(payload.iat);
      expect(typeof payload.jti).toBe('string');
      const auth = payload['https://api.openai.com/auth'] as Json;
      expect(auth.chatgpt_account_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(auth.user_id).toBe(auth.chatgpt_user_id);

      const id = decodeJwt(String(ok.body.id_token));
      expect(id).toMatchObject({
        iss: 'https://auth.openai.com',
        aud: CLIENT_ID,
        email: 'ada@example.com',
        sub: payload.sub,
      });
      expect((id['https://api.openai.com/auth'] as Json).chatgpt_account_id).toBe(auth.chatgpt_account_id);

      const again = await token(exchange, true);
      expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });

    it('refuses a wrong code_verifier and burns the code', async () => {
      const { verifier, challenge } = pkce();
      const res = await authorize({
        client_id: CLIENT_ID,
        response_type: 'code',
        redirect_uri: REDIRECT,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 's',
      });
      const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
      const base = { grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT };
      const wrong = await token({ ...base, code_verifier: pkce().verifier });
      expect(wrong).toEqual({
        status: 400,
        body: { error: 'invalid_grant', error_description: 'Invalid code_verifier' },
      });
      expect((await token({ ...base, code_verifier: verifier })).status).toBe(400);
    });

    it.each([
      ['client_id', { client_id: 'app_other' }, 'invalid_client'],
      ['response_type', { response_type: 'token' }, 'unsupported_response_type'],
      ['redirect_uri', { redirect_uri: 'https://evil.example/cb' }, 'invalid_request'],
      ['code_challenge_method', { code_challenge_method: 'plain' }, 'invalid_request'],
      ['state', { state: '' }, 'invalid_request'],
    ])('answers 400 JSON for a bad %s', async (_name, override, error) => {
      const res = await authorize({
        client_id: CLIENT_ID,
        response_type: 'code',
        redirect_uri: REDIRECT,
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
        state: 's',
        ...override,
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error });
    });
  });

  describe('refresh', () => {
    it('rotates along a chain and counts refreshes per family', async () => {
      const minted = await control.mint({ provider: 'openai-codex' });
      let current = minted.refresh;
      for (let i = 0; i < 3; i += 1) {
        const res = await refresh(current);
        expect(res.status).toBe(200);
        expect(res.body.refresh_token).not.toBe(current);
        expect(typeof res.body.id_token).toBe('string');
        current = String(res.body.refresh_token);
      }
      expect((await control.stats()).refreshes.byFamily[minted.familyId]).toBe(3);
    });

    it('answers a reused token with the exact 401 refresh_token_reused body', async () => {
      const minted = await control.mint({ provider: 'openai-codex' });
      expect((await refresh(minted.refresh)).status).toBe(200);
      const before = (await control.stats()).reuseHits;
      expect(await refresh(minted.refresh)).toEqual({ status: 401, body: REUSED });
      expect((await control.stats()).reuseHits).toBe(before + 1);
    });

    it('answers an unknown token with 400 invalid_grant and a wrong client with 401 invalid_client', async () => {
      expect(await refresh('rt_made_up')).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      const minted = await control.mint({ provider: 'openai-codex' });
      expect(
        await token({ client_id: 'app_other', grant_type: 'refresh_token', refresh_token: minted.refresh }),
      ).toEqual({ status: 401, body: { error: 'invalid_client' } });
      expect(await token({ client_id: CLIENT_ID, grant_type: 'password' })).toMatchObject({
        status: 400,
        body: { error: 'unsupported_grant_type' },
      });
    });
  });

  describe("device code (Codex CLI's `login --device-auth`)", () => {
    const issuer = () => `${emu.url}/openai-codex`;
    const post = async (path: string, body: Json) => {
      const res = await fetch(`${issuer()}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Json };
    };

    it('answers 403 until the user approves, then hands out a PKCE code once, redeemed at the token endpoint', async () => {
      expect(emu.env().CLAWKEEP_OPENAI_CODEX_DEVICE_URL).toBe(`${issuer()}/api/accounts/deviceauth/usercode`);
      const start = await post('/api/accounts/deviceauth/usercode', { client_id: CLIENT_ID });
      expect(start.status).toBe(200);
      expect(Object.keys(start.body).sort()).toEqual(['device_auth_id', 'interval', 'user_code']);
      expect(start.body.interval).toBe('1');
      expect(start.body.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
      expect(start.body.device_auth_id).toMatch(/^deviceauth_/);

      const poll = { device_auth_id: start.body.device_auth_id, user_code: start.body.user_code };
      expect((await post('/api/accounts/deviceauth/token', poll)).status).toBe(403);
      expect((await post('/api/accounts/deviceauth/token', { ...poll, user_code: 'BBBB-BBBB' })).status).toBe(
        404,
      );

      const page = new URL(`${issuer()}/codex/device`);
      page.searchParams.set('user_code', String(start.body.user_code).toLowerCase());
      page.searchParams.set('login_hint', 'grace@example.com');
      expect((await fetch(page)).status).toBe(200);

      const approved = await post('/api/accounts/deviceauth/token', poll);
      expect(approved.status).toBe(200);
      const { authorization_code, code_verifier, code_challenge } = approved.body;
      expect(createHash('sha256').update(String(code_verifier)).digest('base64url')).toBe(code_challenge);
      expect((await post('/api/accounts/deviceauth/token', poll)).status).toBe(404);

      const exchange = {
        grant_type: 'authorization_code',
        client_id: CLIENT_ID,
        code: String(authorization_code),
        code_verifier: String(code_verifier),
        redirect_uri: `${issuer()}/deviceauth/callback`,
      };
      const done = await token(exchange);
      expect(done.status).toBe(200);
      const claims = decodeJwt(String(done.body.access_token));
      expect((claims['https://api.openai.com/profile'] as Json).email).toBe('grace@example.com');
      expect((await token(exchange)).body.error).toBe('invalid_grant');
    });

    it('the verification page is a form: GET shows it, posting the code approves it, as on auth.openai.com', async () => {
      const start = await post('/api/accounts/deviceauth/usercode', { client_id: CLIENT_ID });
      const poll = { device_auth_id: start.body.device_auth_id, user_code: start.body.user_code };
      const page = `${issuer()}/codex/device`;

      const form = await fetch(page);
      expect(form.status).toBe(200);
      expect(form.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await form.text();
      expect(html).toContain('<form method="post" action="/openai-codex/codex/device">');
      expect(html).toMatch(/<input name="user_code" required/);
      expect(html).toMatch(/<input name="login_hint" type="email"/);

      const submit = (fields: Record<string, string>) =>
        fetch(page, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
        });
      const wrong = await submit({ user_code: 'BBBB-<b>' });
      expect(wrong.status).toBe(400);
      const again = await wrong.text();
      expect(again).toContain('The code BBBB-&#60;b&#62; is unknown, expired or already used');
      expect(again).toContain('<form method="post"');
      expect((await post('/api/accounts/deviceauth/token', poll)).status).toBe(403);

      const ok = await submit({ user_code: String(start.body.user_code), login_hint: 'form@example.com' });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('Approved as form@example.com. Return to your terminal');
      expect((await post('/api/accounts/deviceauth/token', poll)).status).toBe(200);
      expect((await submit({ user_code: String(start.body.user_code) })).status).toBe(400); // used once
    });

    it('refuses an unknown client', async () => {
      expect((await post('/api/accounts/deviceauth/usercode', { client_id: 'nope' })).status).toBe(400);
    });
  });

  describe('model endpoint', () => {
    async function respond(access: string | null, accountId: string | null, body: Json): Promise<Response> {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'OpenAI-Beta': 'responses=experimental',
      };
      if (access !== null) headers.authorization = `Bearer ${access}`;
      if (accountId !== null) headers['chatgpt-account-id'] = accountId;
      return fetch(`${emu.env().CLAWKEEP_OPENAI_CODEX_BASE_URL}/responses`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
    }

    it('streams a Responses SSE reply', async () => {
      const p = await control.mint({ provider: 'openai-codex' });
      const res = await respond(p.access, p.accountId, {
        model: 'gpt-5-codex',
        instructions: 'be brief',
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'hello there' }] }],
        store: false,
        stream: true,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const events = parseSse(await res.text());
      const types = events.map((e) => e.event);
      expect(types.slice(0, 2)).toEqual(['codex.rate_limits', 'response.created']);
      expect(types).toContain('response.output_item.added');
      expect(types).toContain('response.output_text.done');
      expect(types).toContain('response.output_item.done');
      expect(types.at(-1)).toBe('response.completed');
      const deltas = events.filter((e) => e.event === 'response.output_text.delta');
      expect(deltas.length).toBeGreaterThan(1);
      const text = deltas.map((e) => (e.data as Json).delta).join('');
      expect(text).toBe('emulated openai-codex reply to: hello there');
      const completed = events.at(-1)?.data as { response: { usage: Json; status: string } };
      expect(completed.response.status).toBe('completed');
      const usage = completed.response.usage;
      expect(usage.total_tokens).toBe(Number(usage.input_tokens) + Number(usage.output_tokens));
    });

    it('calls the first tool when asked to', async () => {
      const p = await control.mint({ provider: 'openai-codex' });
      const res = await respond(p.access, p.accountId, {
        model: 'gpt-5-codex',
        instructions: 'be brief',
        input: [{ role: 'user', content: 'please use tool now' }],
        tools: [{ type: 'function', name: 'shell', parameters: { type: 'object', properties: {} } }],
        store: false,
        stream: true,
      });
      const events = parseSse(await res.text());
      const done = events.find((e) => e.event === 'response.function_call_arguments.done')?.data as Json;
      expect(JSON.parse(String(done.arguments))).toEqual({});
      const done2 = events.find((e) => e.event === 'response.output_item.done')?.data as
        | { item: Json }
        | undefined;
      expect(done2?.item).toMatchObject({ type: 'function_call', name: 'shell', arguments: '{}' });
      expect(events.some((e) => e.event === 'response.output_text.delta')).toBe(false);
    });

    it('requires stream: true, a live token and the matching account header', async () => {
      const p = await control.mint({ provider: 'openai-codex' });
      const body = { model: 'gpt-5-codex', instructions: 'i', input: [], store: false, stream: true };
      expect(await (await respond(p.access, p.accountId, { ...body, stream: false })).json()).toEqual({
        detail: 'Stream must be set to true',
      });
      expect((await respond(null, p.accountId, body)).status).toBe(401);
      const forged = await respond(`${p.access.slice(0, -4)}AAAA`, p.accountId, body);
      expect(forged.status).toBe(401);
      expect(((await forged.json()) as { error: Json }).error.code).toBe('token_invalid');
      expect((await respond(p.access, null, body)).status).toBe(403);
      expect((await respond(p.access, '00000000-0000-4000-8000-000000000000', body)).status).toBe(403);
    });
  });
});

describe('openai-codex emulator, time-based policies', () => {
  it('rejects an expired access token with token_expired', async () => {
    const emu = await startEmulator({ accessTtlSeconds: 1 });
    try {
      const p = await new EmulatorControl(emu.url).mint({ provider: 'openai-codex' });
      // Until the clock reaches the token's expiry (the emulator reads the same clock).
      while (Date.now() < p.expires) await new Promise((r) => setTimeout(r, p.expires - Date.now()));
      const res = await fetch(`${emu.url}/openai-codex/backend-api/codex/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.access}`, 'chatgpt-account-id': p.accountId },
        body: JSON.stringify({ model: 'm', input: 'x', stream: true }),
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: Json }).error.code).toBe('token_expired');
    } finally {
      await emu.close();
    }
  });
});
