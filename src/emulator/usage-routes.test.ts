import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorControl, type MintedProfile } from './control-client.js';
import { type Emulator, startEmulator } from './server.js';

type Json = Record<string, unknown>;

describe('emulator usage endpoints', () => {
  let emu: Emulator;
  let control: EmulatorControl;
  beforeAll(async () => {
    emu = await startEmulator();
    control = new EmulatorControl(emu.url);
  });
  afterAll(() => emu.close());

  const codexUsage = (headers: Record<string, string>) =>
    fetch(`${emu.url}/openai-codex/backend-api/wham/usage`, { headers });
  const claudeUsage = (headers: Record<string, string>) =>
    fetch(`${emu.url}/anthropic/api/oauth/usage`, { headers });
  const codexHeaders = (p: MintedProfile) => ({
    authorization: `Bearer ${p.access}`,
    'chatgpt-account-id': p.accountId,
  });
  const claudeHeaders = (p: MintedProfile) => ({
    authorization: `Bearer ${p.access}`,
    'anthropic-beta': 'oauth-2025-04-20',
  });

  it('wham/usage: the emulated windows, in the shape Codex CLI decodes (integers, seconds)', async () => {
    const p = await control.mint({ provider: 'openai-codex' });
    await control.setQuota({ provider: 'openai-codex', accountId: p.accountId, primaryPercent: 42 });
    const res = await codexUsage(codexHeaders(p));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    const now = Math.floor(Date.now() / 1000);
    expect(body).toMatchObject({
      plan_type: expect.any(String),
      rate_limit: {
        allowed: true,
        limit_reached: false,
        primary_window: { used_percent: 42, limit_window_seconds: 18_000 },
        secondary_window: { used_percent: 0, limit_window_seconds: 604_800 },
      },
    });
    const primary = (body.rate_limit as { primary_window: Json }).primary_window;
    for (const v of Object.values(primary)) expect(Number.isInteger(v)).toBe(true);
    expect(primary.reset_at).toBeGreaterThan(now);
    expect(
      Math.abs((primary.reset_at as number) - now - (primary.reset_after_seconds as number)),
    ).toBeLessThan(5);
  });

  it('wham/usage: a full window is limit_reached; its figures follow the calls served', async () => {
    const p = await control.mint({ provider: 'openai-codex' });
    await control.setQuota({ provider: 'openai-codex', accountId: p.accountId, primaryPercent: 100 });
    const body = (await (await codexUsage(codexHeaders(p))).json()) as { rate_limit: Json };
    expect(body.rate_limit).toMatchObject({ allowed: false, limit_reached: true });
  });

  it('wham/usage: 401 in the backend shape for a missing, bad or superseded token; 403 for another account', async () => {
    expect((await codexUsage({})).status).toBe(401);
    const bad = await codexUsage({ authorization: 'Bearer not-a-token', 'chatgpt-account-id': 'x' });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: { code: 'token_invalid' } });
    const p = await control.mint({ provider: 'openai-codex' });
    const other = await codexUsage({ ...codexHeaders(p), 'chatgpt-account-id': 'someone-else' });
    expect(other.status).toBe(403);
  });

  it('oauth/usage: five_hour and seven_day with utilization in percent and an ISO resets_at', async () => {
    const p = await control.mint({ provider: 'anthropic' });
    await control.setQuota({ provider: 'anthropic', accountId: p.accountId, primaryPercent: 30 });
    const res = await claudeUsage(claudeHeaders(p));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, { utilization: number; resets_at: string } | null>;
    expect(body.five_hour?.utilization).toBe(30);
    expect(body.seven_day?.utilization).toBe(0);
    expect(body.five_hour?.resets_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00$/);
    expect(Date.parse(body.five_hour?.resets_at ?? '')).toBeGreaterThan(Date.now());
  });

  it('oauth/usage: 401 authentication_error without the OAuth beta, with a bad token or an API key', async () => {
    const p = await control.mint({ provider: 'anthropic' });
    const cases: Array<Record<string, string>> = [
      { authorization: `Bearer ${p.access}` },
      { authorization: 'Bearer sk-made-up', 'anthropic-beta': 'oauth-2025-04-20' },
      { 'x-api-key': 'sk-emu-test' },
    ];
    for (const headers of cases) {
      const res = await claudeUsage(headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    }
  });

  it('serving usage is not a model call', async () => {
    const p = await control.mint({ provider: 'openai-codex' });
    const before = (await control.stats()).modelCalls;
    await codexUsage(codexHeaders(p));
    await codexUsage(codexHeaders(p));
    expect((await control.stats()).modelCalls).toEqual(before);
  });
});
