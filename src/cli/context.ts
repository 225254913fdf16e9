import { Broker } from '../broker/broker.js';
import { sweepAllLeftovers } from '../clients/leftovers.js';
import { createLinkedSources } from '../linked/index.js';
import { resolveHome } from '../store/home.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import type { Io } from './output.js';

export interface GlobalOptions {
  home?: string;
  /** `--store`: a postgres:// URL or a SQLite path (also exported as CLAWKEEP_STORE by main). */
  store?: string;
}

/** Opens the store of the selected home, tells the user about permission repairs, runs `fn`, closes. */
export async function withStore<T>(
  io: Io,
  g: GlobalOptions,
  fn: (store: Store, home: string) => Promise<T>,
): Promise<T> {
  const home = resolveHome(g.home);
  const { store, fixes } = openStore({ home, ...(g.store ? { location: g.store } : {}) });
  for (const f of fixes)
    io.err(`notice: tightened permissions of ${f.path} from ${f.from.toString(8)} to ${f.to.toString(8)}`);
  // Temp files of writes a crash interrupted (they may hold a credential): gone on the next run.
  for (const path of await sweepAllLeftovers(home, store))
    io.err(`notice: removed ${path}, left by an interrupted write`);
  try {
    return await fn(store, home);
  } finally {
    await store.close();
  }
}

export async function withBroker<T>(
  io: Io,
  g: GlobalOptions,
  fn: (broker: Broker, store: Store) => Promise<T>,
) {
  return withStore(io, g, async (store) => {
    const broker = new Broker({ store, linked: createLinkedSources(store) });
    try {
      return await fn(broker, store);
    } finally {
      broker.close();
    }
  });
}
