import type { Profile, Store } from '../store/types.js';

/** A login that was in service and no longer is: marked needs_reauth, or disabled. */
export type LoginLost = (profile: Profile, before: Profile['status']) => void;

/**
 * Which profiles each provider has, for targets that do not pin one. Read from the store at most
 * every `ttlMs` (never on the request path once warm: a stale list is refreshed in the background),
 * and at once on the store's change signal. Tells `onLost` when a login leaves service.
 */
export class ProfileDirectory {
  #store: Store;
  #ttlMs: number;
  #onLost: LoginLost;
  #byProvider = new Map<string, string[]>();
  #all: Profile[] = [];
  #byId = new Map<string, Profile>();
  #loadedAt = 0;
  #loading: Promise<void> | null = null;

  constructor(store: Store, ttlMs = 2000, onLost: LoginLost = () => {}) {
    this.#store = store;
    this.#ttlMs = ttlMs;
    this.#onLost = onLost;
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
        const before = this.#byId;
        this.#all = profiles;
        this.#byId = new Map(profiles.map((p) => [p.id, p]));
        for (const p of profiles) {
          const was = before.get(p.id)?.status;
          if (was === 'ok' && p.status !== 'ok') this.#onLost(p, was);
        }
        this.#byProvider = map;
        this.#loadedAt = Date.now();
      })
      .finally(() => {
        this.#loading = null;
      });
    return this.#loading;
  }
}
