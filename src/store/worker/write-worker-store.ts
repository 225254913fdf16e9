import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ClawkeepError, type ErrorCode } from '../../errors.js';
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

/**
 * Keeps a long-running process's event loop free of SQLite's busy wait: reads stay on `reader` (in WAL
 * mode they never wait for a writer), every write goes to a worker thread with its own connection to
 * the same file. Another process holding the write lock then delays only the writes, never a request
 * that reads (client keys, profiles, cached tokens).
 */
export function withWriteWorker(reader: Store, path: string): Store {
  // The worker's store finds the token key where the reader's does (the same home).
  const keyHome = reader instanceof SqliteStore ? reader.keyHome : dirname(path);
  const source = import.meta.url.endsWith('.ts');
  // Under the test runner the sources are TypeScript: the worker registers tsx, then loads them.
  const worker = source
    ? new Worker(
        `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(new URL('./write-worker.ts', import.meta.url).href)}); });`,
        { eval: true, workerData: { path, keyHome } },
      )
    : new Worker(new URL('./write-worker.js', import.meta.url), { workerData: { path, keyHome } });
  worker.unref();
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = 0;
  let failed: Error | null = null;
  worker.on('message', (reply: Reply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(toError(reply.error));
    if (pending.size === 0) worker.unref();
  });
  worker.on('error', (err) => {
    failed = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  });
  const write = (method: keyof Store, args: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      if (failed) return reject(failed);
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, method, args });
    });
  return new Proxy(reader, {
    get(target, prop) {
      if (prop === 'close') {
        return async () => {
          await worker.terminate();
          await target.close();
        };
      }
      if (typeof prop === 'string' && WRITES.has(prop as keyof Store)) {
        return (...args: unknown[]) => write(prop as keyof Store, args);
      }
      // The target as receiver: its getters read private fields (`tokenCodec`), which a proxy lacks.
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function toError(e: { code: ErrorCode | null; message: string; details?: Record<string, unknown> }): Error {
  if (e.code) return new ClawkeepError(e.code, e.message, { details: e.details ?? {} });
  return new Error(e.message);
}
