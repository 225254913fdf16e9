import { parentPort, workerData } from 'node:worker_threads';
import { isClawkeepError } from '../../errors.js';
import { SqliteStore } from '../sqlite/sqlite-store.js';
import type { Store } from '../types.js';

/**
 * The thread that runs a long-running process's store writes on a connection of its own. Its busy
 * wait blocks only this thread, so it may wait as long as a lease lives for another process's lock.
 */
const WRITE_BUSY_TIMEOUT_MS = 30_000;
const data = workerData as { path: string; keyHome: string };
const store = new SqliteStore(data.path, {
  busyTimeoutMs: WRITE_BUSY_TIMEOUT_MS,
  keys: { home: data.keyHome },
});
const port = parentPort;
if (!port) throw new Error('write-worker runs only as a worker thread');

port.on('message', async (msg: { id: number; method: keyof Store; args: unknown[] }) => {
  try {
    const fn = (store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[msg.method]!;
    const value = await fn.apply(store, msg.args);
    port.postMessage({ id: msg.id, ok: true, value });
  } catch (err) {
    const e = err as Error;
    port.postMessage({
      id: msg.id,
      ok: false,
      error: isClawkeepError(e)
        ? { code: e.code, message: e.message, details: e.details }
        : { code: null, message: e.message },
    });
  }
});
