import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { openStore, STORE_FILE } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { withWriteWorker } from '../../src/store/worker/write-worker-store.js';
import { readSqliteTokens } from '../helpers/store-fixtures.js';
import { runStoreSuite } from './store-suite.js';

// The store the gateway runs on: reads on the main thread, every write through a worker thread's
// postMessage. Whatever a store method takes must survive that crossing.
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function workerStore(home: string): Store {
  return withWriteWorker(openStore({ home }).store, join(home, STORE_FILE));
}

runStoreSuite({
  name: 'sqlite through the write worker',
  createStore: async () => {
    const home = mkdtempSync(join(tmpdir(), 'clawkeep-store-worker-'));
    dirs.push(home);
    return workerStore(home);
  },
  reopen: async (store) => workerStore(dirname(store.location)),
  leaseClock: 'caller',
  readRaw: async (store, id) => readSqliteTokens(store.location, id),
});
