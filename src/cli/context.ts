import { Broker } from '../broker/broker.js';
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
  return withStore(io, g, (store) =>
    fn(new Broker({ store, linked: createLinkedSources(store), ...brokerTuningFromEnv() }), store),
  );
}

/** CLAWKEEP_LEASE_TTL_MS / CLAWKEEP_REFRESH_TIMEOUT_MS, for operators who need other timings. */
function brokerTuningFromEnv(env = process.env): { leaseTtlMs?: number; refreshTimeoutMs?: number } {
  const ttl = Number(env.CLAWKEEP_LEASE_TTL_MS);
  const timeout = Number(env.CLAWKEEP_REFRESH_TIMEOUT_MS);
  return {
    ...(ttl > 0 ? { leaseTtlMs: ttl } : {}),
    ...(timeout > 0 ? { refreshTimeoutMs: timeout } : {}),
  };
}
