import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { ClientAuth, createClient } from './clients.js';

describe('client keys', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-clients-'));
    store = openStore({ home: join(dir, 'home') }).store;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores only a hash, accepts the key, and stops accepting it after clients rm', async () => {
    const { key } = await createClient(store, 'agent', null);
    expect(JSON.stringify(await store.listClients())).not.toContain(key);
    const auth = new ClientAuth(store, 0);
    expect((await auth.authenticate(key))?.name).toBe('agent');
    expect(await auth.authenticate('ck_wrong')).toBeNull();
    await store.removeClient('agent', Date.now());
    expect(await auth.authenticate(key)).toBeNull();
  });

  it('a client added while running is found; keys come from Bearer or x-api-key', async () => {
    const auth = new ClientAuth(store);
    expect(await auth.authenticate('ck_later')).toBeNull();
    const { key } = await createClient(store, 'later', 'main');
    expect((await auth.authenticate(key))?.chain).toBe('main');
  });
});
