import { afterAll } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import type { Store } from '../../src/store/types.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { runStoreSuite } from './store-suite.js';

const urls = new Map<Store, string>();
const opened: Store[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
});

const open = (url: string): Store => {
  const s = new PostgresStore({ url });
  urls.set(s, url);
  opened.push(s);
  return s;
};

runStoreSuite({
  name: 'postgres',
  createStore: async () => open(await createTestDatabase()),
  reopen: async (store) => open(urls.get(store)!),
  leaseClock: 'database',
  readRaw: async (store, id) => {
    const r = await (store as PostgresStore).query<{ access: string | null; refresh: string | null }>(
      'SELECT access, refresh FROM profiles WHERE id = $1',
      [id],
    );
    return r.rows[0]!;
  },
});
