import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorControl } from './control-client.js';
import { type Emulator, startEmulator } from './server.js';

const CODEX_CLIENT = 'app_EMoamEEZ73f0CkXaXp7hrann';
const ANTHROPIC_CLIENT = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';

type Json = Record<string, unknown>;

describe('emulator control plane', () => {
  let emu: Emulator;
  let control: EmulatorControl;

  async function refreshCodex(
    refreshToken: string,
  ): Promise<{ status: number; body: Json; headers: Headers }> {
    const res = await fetch(emu.env().CLAWKEEP_OPENAI_CODEX_TOKEN_URL ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: CODEX_CLIENT,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      }),
    });
    return { status: res.status, body: (await res.json()) as Json, headers: res.headers };
  }

  async function refreshAnthropic(refreshToken: string): Promise<{ status: number; body: Json }> {
    const res = await fetch(emu.env().CLAWKEEP_ANTHROPIC_TOKEN_URL ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: ANTHROPIC_CLIENT,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      }),
    });
    return { status: res.status, body: (await res.json()) as Json };
  }

  function codexCall(access: string, accountId: string): Promise<Response> {
    return fetch(`${emu.env().CLAWKEEP_OPENAI_CODEX_BASE_URL}/responses`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${access}`,
        'chatgpt-account-id': accountId,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ model: 'gpt-5', instructions: 'i', input: [], store: false, stream: true }),
    });
  }

  beforeAll(async () => {
    emu = await startEmulator();
    control = new EmulatorControl(emu.url);
  });
  afterEach(async () => {
    await control.clearFaults();
    await control.configure({ reuse: 'strict', accessTtlSeconds: 3600 });
  });
  afterAll(() => emu.close());

  it('mints a profile in the shape clawkeep stores', async () => {
    const before = Date.now();
    const codex = await control.mint({
      provider: 'openai-codex',
      email: 'mint@example.com',
      accountId: 'acct-fixed',
    });
    expect(codex).toMatchObject({
      type: 'oauth',
      provider: 'openai-codex',
      email: 'mint@example.com',
      accountId: 'acct-fixed',
    });
    expect(codex.expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3_600_000);
    expect((decodeJwt(codex.access)['https://api.openai.com/auth'] as Json).chatgpt_account_id).toBe(
      'acct-fixed',
    );
    const claude = await control.mint({ provider: 'anthropic' });
    expect(claude).toMatchObject({ type: 'oauth', provider: 'anthropic', email: 'user@clawkeep.test' });
    const stats = await control.stats();
    expect(stats.families).toBeGreaterThanOrEqual(2);
    expect(stats).toEqual(emu.stats());
    const bad = await fetch(`${emu.url}/_emulator/mint`, {
      method: 'POST',
      body: JSON.stringify({ provider: 'gemini' }),
    });
    expect(bad.status).toBe(400);
  });

  it('drop-after-rotate consumes the token, drops the answer and counts the rotation', async () => {
    const p = await control.mint({ provider: 'openai-codex' });
    const before = await control.stats();
    await control.addFault({ target: 'token', dropAfterRotate: { count: 1 } });
    await expect(refreshCodex(p.refresh)).rejects.toThrow();
    const after = await control.stats();
    expect(after.rotations).toBe(before.rotations + 1);
    expect(after.refreshes.byFamily[p.familyId]).toBe(1);
    expect(after.faultsInjected.dropAfterRotate).toBe(before.faultsInjected.dropAfterRotate + 1);
    const retry = await refreshCodex(p.refresh);
    expect(retry.status).toBe(401);
    expect((retry.body.error as Json).code).toBe('refresh_token_reused');
  });

  it('answers 429 with Retry-After in each provider envelope', async () => {
    const p = await control.mint({ provider: 'openai-codex' });
    await control.addFault({
      target: 'token',
      provider: 'openai-codex',
      rateLimit: { count: 1, retryAfterSeconds: 7 },
    });
    const limited = await refreshCodex(p.refresh);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((limited.body.error as Json).code).toBe('rate_limit_exceeded');
    expect((await refreshCodex(p.refresh)).status).toBe(200);

    await control.addFault({
      target: 'model',
      provider: 'anthropic',
      rateLimit: { count: 1, retryAfterSeconds: 3 },
    });
    const res = await fetch(`${emu.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'sk-emu-k', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(((await res.json()) as { error: Json }).error.type).toBe('rate_limit_error');
    expect((await control.stats()).faultsInjected.rateLimit).toBeGreaterThanOrEqual(2);
  });

  it('answers counted 5xx, then recovers; latency delays', async () => {
    const p = await control.mint({ provider: 'anthropic' });
    await control.addFault({ target: 'token', status5xx: { count: 2, status: 503 } });
    expect((await refreshAnthropic(p.refresh)).status).toBe(503);
    const second = await refreshAnthropic(p.refresh);
    expect(second).toEqual({
      status: 503,
      body: { type: 'error', error: { type: 'api_error', message: 'Internal server error' } },
    });
    expect((await refreshAnthropic(p.refresh)).status).toBe(200);

    await control.addFault({ target: 'model', latencyMs: 150 });
    const c = await control.mint({ provider: 'openai-codex' });
    const started = performance.now();
    expect((await codexCall(c.access, c.accountId)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('rejects malformed fault rules and lists active ones', async () => {
    const bad = await fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ status5xx: { count: 1, status: 418 } }),
    });
    expect(bad.status).toBe(400);
    await control.addFault({ provider: 'openai', status5xx: { count: 1 } });
    const list = (await (await fetch(`${emu.url}/_emulator/faults`)).json()) as { faults: Json[] };
    expect(list.faults).toEqual([
      { target: 'all', provider: 'openai', status5xx: { count: 1, status: 500 } },
    ]);
    await control.clearFaults();
    expect(
      ((await (await fetch(`${emu.url}/_emulator/faults`)).json()) as { faults: Json[] }).faults,
    ).toEqual([]);
  });

  it('switches to a grace window at runtime', async () => {
    expect(await control.configure({ reuse: 'grace:30' })).toEqual({
      reuse: 'grace:30',
      accessTtlSeconds: 3600,
    });
    const p = await control.mint({ provider: 'openai-codex' });
    const next = await refreshCodex(p.refresh);
    const again = await refreshCodex(p.refresh);
    expect(again.status).toBe(200);
    expect(again.body.refresh_token).toBe(next.body.refresh_token);
    expect(again.body.access_token).not.toBe(next.body.access_token);
    expect((await control.stats()).graceHits).toBe(1);
  });

  it('treats the previous token as reused once the grace window has passed', async () => {
    await control.configure({ reuse: 'grace:0.2' });
    const p = await control.mint({ provider: 'anthropic' });
    expect((await refreshAnthropic(p.refresh)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(await refreshAnthropic(p.refresh)).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Refresh token not found or invalid' },
    });
  });

  it('family mode revokes the whole family on reuse', async () => {
    await control.configure({ reuse: 'family' });
    const p = await control.mint({ provider: 'openai-codex' });
    const next = await refreshCodex(p.refresh);
    const access = String(next.body.access_token);
    expect((await codexCall(access, p.accountId)).status).toBe(200);

    const reuse = await refreshCodex(p.refresh);
    expect(reuse.status).toBe(401);
    expect((reuse.body.error as Json).code).toBe('refresh_token_reused');
    const current = await refreshCodex(String(next.body.refresh_token));
    expect(current.status).toBe(401);
    expect((current.body.error as Json).code).toBe('refresh_token_invalidated');
    const call = await codexCall(access, p.accountId);
    expect(call.status).toBe(401);
    expect(((await call.json()) as { error: Json }).error.code).toBe('token_invalidated');
    expect((await control.stats()).revokedFamilies).toContain(p.familyId);

    const a = await control.mint({ provider: 'anthropic' });
    const aNext = await refreshAnthropic(a.refresh);
    expect((await refreshAnthropic(a.refresh)).status).toBe(400);
    expect((await refreshAnthropic(String(aNext.body.refresh_token))).body.error).toBe('invalid_grant');
    const msg = await fetch(`${emu.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${String(aNext.body.access_token)}`,
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'oauth-2025-04-20',
      },
      body: JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(msg.status).toBe(401);
  });

  it('rejects an unknown reuse policy, naming it', async () => {
    const res = await fetch(`${emu.url}/_emulator/config`, {
      method: 'POST',
      body: JSON.stringify({ reuse: 'sometimes' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).error_description).toContain('"sometimes"');
  });

  it('shortens access tokens at runtime', async () => {
    await control.configure({ accessTtlSeconds: 60 });
    const p = await control.mint({ provider: 'anthropic' });
    expect(p.expires - Date.now()).toBeLessThanOrEqual(60_000);
    const r = await refreshAnthropic(p.refresh);
    expect(r.body.expires_in).toBe(60);
  });
});
