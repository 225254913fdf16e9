import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker/broker.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { mint } from '../helpers/emulator.js';
import { type DedicatedPostgres, startDedicatedPostgres } from '../helpers/postgres.js';

interface Stats {
  refreshes: { total: number };
  reuseHits: number;
}

describe('PostgreSQL down: the hot path keeps serving, rotations wait, nothing is presented twice', () => {
  let server: DedicatedPostgres;
  let emulator: Emulator;
  beforeAll(async () => {
    server = await startDedicatedPostgres();
    emulator = await startEmulator({ reuse: { kind: 'strict' } });
  });
  afterAll(async () => {
    await emulator?.close();
    server?.close();
  });
  const stats = async (): Promise<Stats> =>
    (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as Stats;

  it('serves the valid in-memory token through an outage, then rotates exactly once when the server is back', async () => {
    const url = await server.createDatabase();
    const store = new PostgresStore({ url });
    const minted = await mint(emulator, 'openai-codex', 'outage@example.test');
    await store.insertProfile(
      {
        id: 'openai-codex:o',
        type: 'oauth',
        access: minted.access,
        refresh: minted.refresh,
        expires: minted.expires,
      },
      Date.now(),
    );
    let offset = 0;
    const broker = new Broker({ store, env: emulator.env(), clock: () => Date.now() + offset });
    try {
      expect(await broker.getAccessToken('openai-codex:o')).toBe(minted.access);

      server.stop();
      // Deep in the refresh window, still valid: the store cannot be reached, so no rotation starts.
      offset = minted.expires - Date.now() - 60_000;
      for (let i = 0; i < 3; i++) expect(await broker.getAccessToken('openai-codex:o')).toBe(minted.access);
      expect(await stats()).toMatchObject({ refreshes: { total: 0 } });

      // Past expiry with no store: a clear, retryable error, never a guess.
      offset = minted.expires - Date.now() + 1000;
      await expect(broker.getAccessToken('openai-codex:o')).rejects.toMatchObject({
        code: 'store_unreachable',
        retryable: true,
      });

      server.start();
      // Later in the window than any moment above: the broker's clock must not run backwards.
      offset = minted.expires - Date.now() - 15_000;
      const rotated = await broker.getAccessToken('openai-codex:o');
      expect(rotated).not.toBe(minted.access);
      expect(await stats()).toMatchObject({ refreshes: { total: 1 }, reuseHits: 0 });
      expect(await store.getProfile('openai-codex:o')).toMatchObject({ access: rotated, generation: 2 });
    } finally {
      await store.close();
    }
  });
});
