import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { readSqliteTokens } from '../helpers/store-fixtures.js';
import { runStoreSuite } from './store-suite.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

runStoreSuite({
  name: 'sqlite',
  createStore: async () => {
    const home = mkdtempSync(join(tmpdir(), 'clawkeep-store-'));
    dirs.push(home);
    return openStore({ home }).store;
  },
  reopen: async (store) => openStore({ home: dirname(store.location) }).store,
  leaseClock: 'caller',
  readRaw: async (store, id) => readSqliteTokens(store.location, id),
});
