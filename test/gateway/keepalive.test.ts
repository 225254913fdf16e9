import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const DAY = 86_400_000;

describe('keep-alive', () => {
  let t: TestGateway;
  afterEach(async () => {
    await t.close();
  });

  it('refreshes a login idle for 6 days through the broker (weekly limit), and leaves fresh ones alone', async () => {
    t = await startTestGateway();
    const m = await t.ctl.mint({ provider: 'openai-codex', email: 'spare@example.test' });
    t.secrets.push(m.access, m.refresh);
    await t.store.insertProfile(
      {
        id: 'openai-codex:spare',
        type: 'oauth',
        access: m.access,
        refresh: m.refresh,
        expires: m.expires,
        accountId: m.accountId,
        issuedAt: Date.now() - 6 * DAY,
      },
      Date.now() - 6 * DAY,
    );
    const before = (await t.ctl.stats()).rotations;
    await t.gateway.keepAlive.runOnce();
    const spare = await t.store.getProfile('openai-codex:spare');
    expect(spare?.generation).toBe(2);
    expect(spare?.refresh).not.toBe(m.refresh);
    expect((await t.store.getProfile('openai-codex:default'))?.generation).toBe(1);
    expect((await t.ctl.stats()).rotations).toBe(before + 1);
    await t.gateway.flushEvents();
    const events = await t.store.listEvents({ profileId: 'openai-codex:spare' });
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['rotated', 'keepalive']));
    expect(events.find((e) => e.kind === 'keepalive')?.data).toMatchObject({
      outcome: 'refreshed',
      idleHours: 144,
    });
    for (const s of t.secrets) expect(JSON.stringify(events) + t.logs.join('\n')).not.toContain(s);
  });
});
