import type pg from 'pg';
import type { ProfileChange } from '../types.js';
import { loadPg } from './driver.js';

export const CHANGE_CHANNEL = 'clawkeep_profiles';

/** The NOTIFY payload: profile id and generation, never a token. */
export function changePayload(id: string, generation: number | string | null): string {
  return JSON.stringify({ id, generation: generation === null ? null : Number(generation) });
}

/**
 * One dedicated LISTEN connection per store, opened on the first subscriber. It reconnects with
 * backoff when the server goes away; after a reconnect it signals `profileId: null` (anything may
 * have changed while it was deaf) so subscribers re-read instead of trusting memory.
 */
export class ChangeFeed {
  #config: pg.ClientConfig;
  #listeners = new Set<(c: ProfileChange) => void>();
  #client: pg.Client | null = null;
  #closed = false;
  #retryMs = 100;
  #timer: NodeJS.Timeout | null = null;
  #everConnected = false;

  constructor(config: pg.ClientConfig) {
    this.#config = config;
  }

  subscribe(listener: (c: ProfileChange) => void): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1 && !this.#client && !this.#timer) void this.#connect();
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Resolves once LISTEN is active (tests and status use it); false if the server is unreachable. */
  async ready(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#client && this.#listening) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  }

  #listening = false;

  async #connect(): Promise<void> {
    if (this.#closed) return;
    this.#timer = null;
    const client = new (loadPg().Client)(this.#config);
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    client.on('notification', (msg) => {
      if (msg.channel !== CHANGE_CHANNEL || !msg.payload) return;
      try {
        const p = JSON.parse(msg.payload) as { id: string; generation: number | null };
        this.#emit({ profileId: p.id, generation: p.generation });
      } catch {
        // Not ours: someone else notified on the channel. Ignore.
      }
    });
    this.#client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
      this.#listening = true;
      this.#retryMs = 100;
      if (this.#everConnected) this.#emit({ profileId: null, generation: null });
      this.#everConnected = true;
    } catch {
      this.#lost(client);
    }
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = null;
    this.#listening = false;
    client.end().catch(() => {});
    if (this.#closed || this.#listeners.size === 0) return;
    this.#timer = setTimeout(() => void this.#connect(), this.#retryMs);
    this.#timer.unref();
    this.#retryMs = Math.min(this.#retryMs * 2, 5000);
  }

  #emit(c: ProfileChange): void {
    for (const l of this.#listeners) {
      try {
        l(c);
      } catch {
        // A listener's failure is its own.
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    if (this.#timer) clearTimeout(this.#timer);
    const c = this.#client;
    this.#client = null;
    this.#listening = false;
    if (c) await c.end().catch(() => {});
  }
}
