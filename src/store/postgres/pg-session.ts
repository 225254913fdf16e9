import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { type PostgresTarget, poolConfig } from './connection.js';
import { loadPg } from './driver.js';
import { classifyPgError, isUnreachable, readOnlyError } from './errors.js';
import { migratePostgres } from './migrations.js';

export interface PgSessionOptions extends PostgresTarget {
  /** How long a rotated token's commit is retried while the server is unreachable. Default 120 s. */
  commitRetryMs?: number;
  /** How long other calls wait for an unreachable server to come back (a quick restart). Default 1 s. */
  reconnectMs?: number;
}

/**
 * The PostgreSQL store's connection plumbing: a pool that never crashes the process on a server's
 * error, a lazy connect-check-migrate, queries and transactions retried through a short outage while
 * that is safe, and credential writes retried until they land. The store above it holds only SQL.
 */
export class PgSession {
  readonly #location: string;
  readonly #pool: pg.Pool;
  readonly #commitRetryMs: number;
  readonly #reconnectMs: number;
  #ready: Promise<void> | null = null;

  constructor(options: PgSessionOptions, location: string) {
    this.#location = location;
    this.#pool = new (loadPg().Pool)(poolConfig(options));
    // An idle client losing its server must not crash the process; the next query reports it.
    this.#pool.on('error', () => {});
    // A server shutting down sends its FATAL after a failed query has already released the client
    // (pg-pool listens with `once` while a query runs): without a listener of its own that second
    // 'error' would crash the process. Queries and transactions still see every error themselves.
    this.#pool.on('connect', (client) => client.on('error', () => {}));
    this.#commitRetryMs = options.commitRetryMs ?? 120_000;
    this.#reconnectMs = options.reconnectMs ?? 1_000;
  }

  /** Connects, refuses a read-only server, migrates under the advisory lock. Idempotent; retried after failure. */
  ready(): Promise<void> {
    this.#ready ??= this.#init().catch((err) => {
      this.#ready = null;
      throw classifyPgError(err, this.#location);
    });
    return this.#ready;
  }

  async #init(): Promise<void> {
    const client = await this.#pool.connect();
    // A checked-out client has no error listener: a server going away would crash the process.
    const onError = () => {};
    client.on('error', onError);
    try {
      const ro = await client.query<{ transaction_read_only: string }>('SHOW transaction_read_only');
      if (ro.rows[0]?.transaction_read_only === 'on') throw readOnlyError(this.#location);
      await migratePostgres(client, this.#location);
    } finally {
      client.removeListener('error', onError);
      client.release();
    }
  }

  /** Reads and idempotent single statements: retried through a short outage (a server restart). */
  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.#reconnecting(async () => {
      await this.ready();
      return this.run(() => this.#pool.query<R>(sql, params));
    });
  }

  /**
   * One transaction on one pooled connection. Retried through a short outage only while COMMIT was
   * not yet sent (the server rolled it back); once COMMIT is in flight the outcome is unknown and the
   * error goes to the caller (credential writes then retry compare-and-set, see durable).
   */
  async transaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.#reconnecting(async (uncertain) => {
      await this.ready();
      const c = await this.run(() => this.#pool.connect());
      let broken = false;
      // A checked-out client has no error listener: a server going away would crash the process.
      const onError = () => {
        broken = true;
      };
      c.on('error', onError);
      try {
        await c.query('BEGIN');
        const out = await fn(c);
        uncertain();
        await c.query('COMMIT');
        return out;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw classifyPgError(err, this.#location);
      } finally {
        c.removeListener('error', onError);
        c.release(broken);
      }
    });
  }

  /** Retries `fn` while the server is unreachable, for up to `reconnectMs`, unless it marked itself uncertain. */
  async #reconnecting<T>(fn: (uncertain: () => void) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#reconnectMs;
    let wait = 50;
    for (;;) {
      let unsafe = false;
      try {
        return await fn(() => {
          unsafe = true;
        });
      } catch (err) {
        if (unsafe || !isUnreachable(err) || Date.now() + wait > deadline) throw err;
        await sleep(wait);
        wait = Math.min(wait * 2, 1000);
      }
    }
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw classifyPgError(err, this.#location);
    }
  }

  /**
   * Retries a credential write while the server is unreachable: a rotated token exists nowhere
   * else, so it is committed (or found committed) before anyone is handed it. Safe to repeat:
   * every such write is a compare-and-set.
   */
  async durable<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#commitRetryMs;
    let wait = 100;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (!isUnreachable(err) || Date.now() + wait > deadline) throw err;
        await sleep(wait);
        wait = Math.min(wait * 2, 2000);
      }
    }
  }

  /** One statement on the pool after `ready()`, not retried (e.g. an append that must not repeat). */
  async write<T>(fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
    await this.ready();
    return this.run(() => fn(this.#pool));
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => {});
  }
}
