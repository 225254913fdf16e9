import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../emulator/server.js';
import { getProvider, resolveOAuthEndpoints } from '../providers/registry.js';
import { deviceIssuer, pollDeviceLogin, startDeviceLogin } from './device.js';

const codex = getProvider('openai-codex');

describe("OpenAI device login (Codex CLI's device auth) against the emulator", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
  });
  afterAll(() => emu.close());
  const endpoints = () => resolveOAuthEndpoints(codex, emu.env());

  it('shows the code and the page, polls until approved, redeems the code for tokens', async () => {
    const start = await startDeviceLogin(codex, endpoints());
    expect(start).toMatchObject({
      verificationUri: `${emu.url}/openai-codex/codex/device`,
      verificationUriComplete: null,
      intervalMs: 1000, // the emulator's "1", a string as OpenAI sends it
      issuer: `${emu.url}/openai-codex`,
    });
    const tokens = pollDeviceLogin(codex, endpoints(), start, { deadline: Date.now() + 20_000 });
    const page = new URL(start.verificationUri);
    page.searchParams.set('user_code', start.userCode);
    page.searchParams.set('login_hint', 'dev@example.com');
    expect((await fetch(page)).status).toBe(200);
    const t = await tokens;
    expect(t.email).toBe('dev@example.com');
    expect(t.refresh).toMatch(/^rt_/);
    expect(t.accountId).toBeTruthy();
  });

  it('gives up at the deadline with login_timeout', async () => {
    const start = await startDeviceLogin(codex, endpoints());
    await expect(
      pollDeviceLogin(codex, endpoints(), start, { deadline: Date.now() + 1500 }),
    ).rejects.toMatchObject({ code: 'login_timeout' });
  });

  it('a 404 from the user-code endpoint says device login is not enabled there, with what to do', async () => {
    const ep = { ...endpoints(), deviceUrl: `${emu.url}/nowhere/api/accounts/deviceauth/usercode` };
    await expect(startDeviceLogin(codex, ep)).rejects.toMatchObject({
      code: 'login_failed',
      message: expect.stringContaining('device-code login is not enabled on'),
      hint: expect.stringContaining('without --device'),
    });
  });

  it('a device URL that is not a deviceauth/usercode endpoint is a config error naming the shape', () => {
    expect(() => deviceIssuer(codex, 'https://auth.openai.com/oauth/device/code')).toThrow(
      /must end with \/api\/accounts\/deviceauth\/usercode/,
    );
    expect(deviceIssuer(codex, 'https://auth.openai.com/api/accounts/deviceauth/usercode')).toBe(
      'https://auth.openai.com',
    );
  });
});
