import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClawkeepError } from '../errors.js';
import { type Emulator, startEmulator } from './server.js';

describe('startEmulator', () => {
  let emu: Emulator;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
  });
  afterAll(() => emu.close());

  it('listens on a random loopback port and exposes the env that points clawkeep at it', () => {
    expect(emu.url).toBe(`http://127.0.0.1:${emu.port}`);
    expect(emu.port).toBeGreaterThan(0);
    expect(emu.env()).toEqual({
      CLAWKEEP_OPENAI_CODEX_AUTHORIZE_URL: `${emu.url}/openai-codex/oauth/authorize`,
      CLAWKEEP_OPENAI_CODEX_TOKEN_URL: `${emu.url}/openai-codex/oauth/token`,
      CLAWKEEP_OPENAI_CODEX_DEVICE_URL: `${emu.url}/openai-codex/api/accounts/deviceauth/usercode`,
      CLAWKEEP_OPENAI_CODEX_BASE_URL: `${emu.url}/openai-codex/backend-api/codex`,
      CLAWKEEP_ANTHROPIC_AUTHORIZE_URL: `${emu.url}/anthropic/oauth/authorize`,
      CLAWKEEP_ANTHROPIC_TOKEN_URL: `${emu.url}/anthropic/v1/oauth/token`,
      CLAWKEEP_ANTHROPIC_BASE_URL: `${emu.url}/anthropic`,
      CLAWKEEP_OPENAI_BASE_URL: `${emu.url}/openai/v1`,
    });
  });

  it('answers unknown paths, wrong methods and bad JSON with JSON errors', async () => {
    expect((await fetch(`${emu.url}/nope`)).status).toBe(404);
    const wrongMethod = await fetch(`${emu.url}/openai-codex/oauth/token`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    const badJson = await fetch(`${emu.url}/openai-codex/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('counts token requests and starts with empty stats', async () => {
    const fresh = await startEmulator();
    try {
      expect(fresh.stats()).toEqual({
        refreshes: { total: 0, byFamily: {}, byProvider: {} },
        rotations: 0,
        reuseHits: 0,
        graceHits: 0,
        revokedFamilies: [],
        families: 0,
        modelCalls: { total: 0, byProvider: {} },
        faultsInjected: { latency: 0, status5xx: 0, rateLimit: 0, dropAfterRotate: 0 },
        tokenRequests: 0,
        accessRejected: { expired: 0, revoked: 0, invalid: 0 },
      });
      await fetch(`${fresh.url}/anthropic/v1/oauth/token`, { method: 'POST', body: '{}' });
      expect(fresh.stats().tokenRequests).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('rejects bad options with a usage error', async () => {
    await expect(startEmulator({ port: 70000 })).rejects.toMatchObject({ code: 'usage' });
    await expect(startEmulator({ accessTtlSeconds: 0 })).rejects.toBeInstanceOf(ClawkeepError);
  });
});
