import { channel } from 'node:diagnostics_channel';
import { dirname } from 'node:path';
import { SHARE_ENV, Worker, type WorkerOptions } from 'node:worker_threads';
import { ClawkeepError, describeCause, type ErrorCode } from '../../errors.js';
import { SqliteStore } from '../sqlite/sqlite-store.js';
import type { Store } from '../types.js';

/** Store methods that write: they take SQLite's write lock and may wait for it. */
const WRITES: ReadonlySet<keyof Store> = new Set<keyof Store>([
  'insertProfile',
  'replaceProfile',
  'removeProfile',
  'setStatus',
  'claimLease',
  'commitRotation',
  'adoptCredential',
  'markNeedsReauth',
  'releaseLease',
  'addLinkedSource',
  'removeLinkedSource',
  'insertClient',
  'removeClient',
  'updateClient',
  'appendEvent',
  'appendEvents',
  'saveQuota',
  'addUsage',
  'rekeyTokens',
]);

type Reply =
  | { id: number; ok: true; value: unknown }
  | {
      id: number;
      ok: false;
      error: { code: ErrorCode | null; message: string; details?: Record<string, unknown> };
    };

/** Published on `clawkeep:store` (free when nobody subscribes): the write worker died and was replaced. */
export const storeChannel = channel('clawkeep:store');

export interface WriteWorkerEvent {
  kind: 'write_worker_died';
  /** The thread's exit code, or null when it threw. */
  exitCode: number | null;
  /** One line, no source text: the error's name and code. */
  cause: string;
  /** Writes that were in flight and failed with `store_worker_died`. */
  failedWrites: number;
}

/**
 * Keeps a long-running process's event loop free of SQLite's busy wait: reads stay on `reader` (in WAL
 * mode they never wait for a writer), every write goes to a worker thread with its own connection to
 * the same file. Another process holding the write lock then delays only the writes, never a request
 * that reads (client keys, profiles, cached tokens). Only plain data crosses to the worker. A worker
 * that dies fails the writes it held with `store_worker_died` (an open transaction rolls back; one
 * that committed is recognised when retried, as after a lost acknowledgement) and the next write
 * starts a new one.
 */
export function withWriteWorker(reader: Store, path: string): Store {
  // The worker's store finds the token key where the reader's does (the same home).
  const keyHome = reader instanceof SqliteStore ? reader.keyHome : dirname(path);
  const thread = new WriteThread(path, keyHome);
  return new Proxy(reader, {
    get(target, prop) {
      if (prop === 'close') {
        return async () => {
          await thread.close();
          await target.close();
        };
      }
      if (prop === WRITE_THREAD) return thread;
      if (typeof prop === 'string' && WRITES.has(prop as keyof Store)) {
        return (...args: unknown[]) => thread.call(prop as keyof Store, args);
      }
      // The target as receiver: its getters read private fields (`tokenCodec`), which a proxy lacks.
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Where tests reach the thread of a store `withWriteWorker` made (to end it as a crash would). */
export const WRITE_THREAD = Symbol('clawkeep.writeThread');

type Pending = { resolve(v: unknown): void; reject(e: Error): void };

/** One worker thread at a time, started on demand, replaced after it dies. */
class WriteThread {
  #path: string;
  #keyHome: string;
  #worker: Worker | null = null;
  #pending = new Map<number, Pending>();
  #next = 0;
  #closed = false;

  constructor(path: string, keyHome: string) {
    this.#path = path;
    this.#keyHome = keyHome;
    this.#worker = this.#start();
  }

  /** The running thread (tests end it to play a crash). */
  get worker(): Worker | null {
    return this.#worker;
  }

  call(method: keyof Store, args: unknown[]): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      if (this.#closed) return reject(new ClawkeepError('store_io', `the store at ${this.#path} is closed`));
      this.#worker ??= this.#start();
      const id = this.#next++;
      try {
        this.#worker.postMessage({ id, method, args });
      } catch (err) {
        // Nothing reached the store. The clone error's message quotes source text: not passed on.
        const what = `store.${method}: an argument cannot cross to the write thread (${describeCause(err)})`;
        return reject(new Error(what));
      }
      this.#pending.set(id, { resolve, reject });
      this.#worker.ref();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const w = this.#worker;
    this.#worker = null;
    if (w) await w.terminate();
  }

  #start(): Worker {
    const workerData = { path: this.#path, keyHome: this.#keyHome };
    // The worker sees the environment as it is now (a key in CLAWKEEP_STORE_KEY set later too).
    const options: WorkerOptions = { workerData, env: SHARE_ENV };
    // Under the test runner the sources are TypeScript: the worker registers tsx, then loads them.
    const w = import.meta.url.endsWith('.ts')
      ? new Worker(
          `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(new URL('./write-worker.ts', import.meta.url).href)}); });`,
          { ...options, eval: true },
        )
      : new Worker(new URL('./write-worker.js', import.meta.url), options);
    w.unref();
    let cause: string | null = null;
    w.on('message', (reply: Reply) => {
      const p = this.#pending.get(reply.id);
      if (!p) return;
      this.#pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.value);
      else p.reject(toError(reply.error));
      if (this.#pending.size === 0) w.unref();
    });
    w.on('error', (err) => {
      cause = describeCause(err);
    });
    w.on('exit', (exitCode) => {
      if (this.#worker === w) this.#worker = null;
      if (this.#closed) return;
      const failed = [...this.#pending.values()];
      this.#pending.clear();
      const died = new ClawkeepError(
        'store_worker_died',
        `the store's write thread stopped (${cause ?? `exit code ${exitCode}`}) before it answered; the next write starts a new one`,
        { details: { exitCode, cause } },
      );
      for (const p of failed) p.reject(died);
      storeChannel.publish({
        kind: 'write_worker_died',
        exitCode: cause ? null : exitCode,
        cause: cause ?? `exit code ${exitCode}`,
        failedWrites: failed.length,
      } satisfies WriteWorkerEvent);
    });
    return w;
  }
}

function toError(e: { code: ErrorCode | null; message: string; details?: Record<string, unknown> }): Error {
  if (e.code) return new ClawkeepError(e.code, e.message, { details: e.details ?? {} });
  return new Error(e.message);
}
