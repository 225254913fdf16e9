import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** Issue 13: changes made by another process reach a running gateway within a second (store change signal). */
describe('a running gateway follows the store', () => {
  let t: TestGateway;
  let other: Store;
  const chat = (model: string, key = t.key) =>
    fetch(`${t.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
  /** Polls until `ok` holds, for at most 1.5 s; returns how long it took. */
  const until = async (ok: () => Promise<boolean>): Promise<number> => {
    const t0 = Date.now();
    while (Date.now() - t0 < 1500) {
      if (await ok()) return Date.now() - t0;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the gateway did not follow the change within 1.5 s');
  };

  beforeAll(async () => {
    t = await startTestGateway();
    // Another connection to the same file: what another clawkeep process is.
    other = openStore({ home: t.home }).store;
  });
  afterAll(async () => {
    await other.close();
    await t.close();
  });

  it('a client key revoked elsewhere stops working within a second', async () => {
    expect((await chat('chain:codex-only')).status).toBe(200);
    await other.removeClient('test-agent', Date.now());
    const ms = await until(async () => (await chat('chain:codex-only')).status === 401);
    console.log(`revocation reached the gateway in ${ms} ms`);
  });

  it('a profile disabled elsewhere is skipped within a second, and used again once enabled', async () => {
    const { createClient } = await import('../../src/gateway/clients.js');
    const { key } = await createClient(other, 'agent-2', null);
    await until(async () => (await chat('chain:codex-only', key)).status === 200);
    await other.setStatus('openai-codex:default', 'disabled', Date.now());
    const off = await until(async () => (await chat('chain:codex-only', key)).status !== 200);
    await other.setStatus('openai-codex:default', 'ok', Date.now());
    const on = await until(async () => (await chat('chain:codex-only', key)).status === 200);
    console.log(`disable reached the gateway in ${off} ms, enable in ${on} ms`);
  });
});
