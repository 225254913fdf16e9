import type { Profile, Store } from '../store/types.js';

/**
 * Which profiles each provider has, for targets that do not pin one. Read from the store at most
 * every `ttlMs` (never on the request path once warm: a stale list is refreshed in the background).
 */
export class ProfileDirectory {
  #store: Store;
  #ttlMs: number;
  #byProvider = new Map<string, string[]>();
  #all: Profile[] = [];
  #byId = new Map<string, Profile>();
  #loadedAt = 0;
  #loading: Promise<void> | null = null;

  constructor(store: Store, ttlMs = 2000) {
    this.#store = store;
    this.#ttlMs = ttlMs;
  }

  async forProvider(provider: string): Promise<string[]> {
    if (this.#loadedAt === 0) await this.refresh();
    else if (Date.now() - this.#loadedAt > this.#ttlMs) void this.refresh();
    return this.#byProvider.get(provider) ?? [];
  }

  /** A profile as last read (after `forProvider` or `all`); undefined when the store has none by that id. */
  get(id: string): Profile | undefined {
    return this.#byId.get(id);
  }

  async all(): Promise<Profile[]> {
    await this.refresh();
    return this.#all;
  }

  refresh(): Promise<void> {
    this.#loading ??= this.#store
      .listProfiles()
      .then((profiles) => {
        const map = new Map<string, string[]>();
        for (const p of profiles) {
          if (p.status === 'disabled') continue;
          const list = map.get(p.provider) ?? [];
          list.push(p.id);
          map.set(p.provider, list);
        }
        this.#all = profiles;
        this.#byId = new Map(profiles.map((p) => [p.id, p]));
        this.#byProvider = map;
        this.#loadedAt = Date.now();
      })
      .finally(() => {
        this.#loading = null;
      });
    return this.#loading;
  }
}
