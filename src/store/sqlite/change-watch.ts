import type Database from 'better-sqlite3';
import type { ProfileChange } from '../types.js';

type Listener = (change: ProfileChange) => void;

/**
 * SQLite's change signal: `PRAGMA data_version` moves when another connection (another process, or
 * this process's write worker) commits. Only then are the profile and client rows compared with the
 * last snapshot, and a change is emitted per profile that differs (generation null when its status
 * changed or it is gone, so holders re-read it) and once when the clients changed.
 */
export class SqliteChangeWatch {
  #db: Database.Database;
  #intervalMs: number;
  #listeners = new Set<Listener>();
  #timer: NodeJS.Timeout | null = null;
  #version: number | null = null;
  #profiles = new Map<string, { generation: number; status: string; updatedAt: number }>();
  #clients = '';

  constructor(db: Database.Database, intervalMs = 250) {
    this.#db = db;
    this.#intervalMs = intervalMs;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    if (!this.#timer) {
      this.#snapshot();
      this.#timer = setInterval(() => this.#tick(), this.#intervalMs).unref();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.close();
    };
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #tick(): void {
    if (!this.#db.open) {
      this.close();
      return;
    }
    let version: number;
    try {
      version = this.#db.pragma('data_version', { simple: true }) as number;
    } catch {
      return; // a locked or busy moment: the next tick looks again
    }
    if (version === this.#version) return;
    this.#version = version;
    const before = this.#profiles;
    const clientsBefore = this.#clients;
    this.#snapshot();
    const changes: ProfileChange[] = [];
    for (const [id, now] of this.#profiles) {
      const was = before.get(id);
      if (
        was &&
        was.updatedAt === now.updatedAt &&
        was.status === now.status &&
        was.generation === now.generation
      )
        continue;
      const statusChanged = was !== undefined && was.status !== now.status;
      changes.push({ profileId: id, generation: statusChanged ? null : now.generation });
    }
    for (const id of before.keys())
      if (!this.#profiles.has(id)) changes.push({ profileId: id, generation: null });
    if (this.#clients !== clientsBefore)
      changes.push({ profileId: null, generation: null, scope: 'clients' });
    for (const c of changes) for (const l of this.#listeners) l(c);
  }

  #snapshot(): void {
    try {
      this.#version ??= this.#db.pragma('data_version', { simple: true }) as number;
      const rows = this.#db.prepare('SELECT id, generation, status, updated_at FROM profiles').all() as {
        id: string;
        generation: number;
        status: string;
        updated_at: number;
      }[];
      this.#profiles = new Map(
        rows.map((r) => [r.id, { generation: r.generation, status: r.status, updatedAt: r.updated_at }]),
      );
      const keys = this.#db.prepare('SELECT key_hash FROM clients ORDER BY key_hash').all() as {
        key_hash: string;
      }[];
      this.#clients = keys.map((k) => k.key_hash).join(',');
    } catch {
      // unreadable for a moment: compared again at the next change
    }
  }
}
