import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker/broker.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { createTestDatabase } from '../helpers/postgres.js';

const stores: PostgresStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

describe('broker on PostgreSQL: LISTEN brings peers’ rotations into memory', () => {
  it('a rotation committed by another host replaces this host’s cached token without a call', async () => {
    const url = await createTestDatabase();
    const here = new PostgresStore({ url });
    const there = new PostgresStore({ url });
    stores.push(here, there);
    const now = Date.now();
    await there.insertProfile(
      {
        id: 'openai-codex:fleet',
        type: 'oauth',
        access: 'fake-access-1',
        refresh: 'fake-refresh-1',
        expires: now + 3_600_000,
        issuedAt: now,
      },
      now,
    );
    const broker = new Broker({ store: here });
    expect(await broker.getCredential('openai-codex:fleet')).toMatchObject({
      access: 'fake-access-1',
      generation: 1,
    });
    await here.listening();
    await there.commitRotation(
      'openai-codex:fleet',
      'fake-refresh-1',
      { access: 'fake-access-2', refresh: 'fake-refresh-2', expires: now + 7_200_000, issuedAt: now },
      now,
    );
    const deadline = Date.now() + 5000;
    let cred = await broker.getCredential('openai-codex:fleet');
    while (cred.generation < 2 && Date.now() < deadline) {
      await sleep(10);
      cred = await broker.getCredential('openai-codex:fleet');
    }
    // Still valid, so without the signal the hot path would have kept generation 1.
    expect(cred).toMatchObject({ access: 'fake-access-2', generation: 2 });
  });
});
