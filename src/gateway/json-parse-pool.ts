import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PlanJob, PlanReply } from './json-parse-worker.js';

type Outcome = { ok: true; plan: Int32Array } | { ok: false; reason: 'too_deep' | 'not_json' };

interface Job {
  body: Uint8Array;
  maxDepth: number;
  chunk: number;
  resolve(o: Outcome): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

/** The scan holds only the plan and a frame per open container: this is plenty, and a bound. */
const WORKER_HEAP_MB = 64;

function spawnWorker(): Worker {
  // Under the test runner the sources are TypeScript: the worker registers tsx, then loads them.
  if (import.meta.url.endsWith('.ts')) {
    const url = new URL('./json-parse-worker.ts', import.meta.url).href;
    return new Worker(
      `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); });`,
      { eval: true, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } },
    );
  }
  return new Worker(new URL('./json-parse-worker.js', import.meta.url), {
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
}

/**
 * A few worker threads that scan large JSON bodies, started on first use and unreferenced while
 * idle (they never keep a process alive). Jobs beyond the pool's size wait in order.
 */
export class JsonParsePool {
  #size: number;
  #slots: Slot[] = [];
  #queue: Job[] = [];
  #nextId = 0;

  constructor(size: number) {
    this.#size = size;
  }

  /** Checks depth and structure of `body` (SharedArrayBuffer-backed) and returns its plan. */
  plan(body: Uint8Array, maxDepth: number, chunk: number): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ body, maxDepth, chunk, resolve, reject });
      this.#dispatch();
    });
  }

  /** Threads started so far (for tests and metrics). */
  get threads(): number {
    return this.#slots.length;
  }

  async close(): Promise<void> {
    const slots = this.#slots;
    this.#slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => s.job === null);
      if (!slot && this.#slots.length < this.#size) slot = this.#start();
      if (!slot) return;
      const job = this.#queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      const msg: PlanJob = { id: this.#nextId++, body: job.body, maxDepth: job.maxDepth, chunk: job.chunk };
      slot.worker.postMessage(msg);
    }
  }

  #start(): Slot {
    const slot: Slot = { worker: spawnWorker(), job: null };
    slot.worker.unref();
    slot.worker.on('message', (reply: PlanReply) => {
      const job = slot.job;
      slot.job = null;
      slot.worker.unref();
      job?.resolve(reply.ok ? { ok: true, plan: reply.plan } : { ok: false, reason: reply.reason });
      this.#dispatch();
    });
    slot.worker.on('error', (err) => {
      // Out of its heap bound, or a bug: this job fails, the next one gets a new thread.
      this.#slots = this.#slots.filter((s) => s !== slot);
      slot.job?.reject(err);
      slot.job = null;
      this.#dispatch();
    });
    this.#slots.push(slot);
    return slot;
  }
}

let shared: JsonParsePool | null = null;

/** The process's pool: two threads at most (each scans at memory speed; more would only contend). */
export function jsonParsePool(): JsonParsePool {
  shared ??= new JsonParsePool(Math.max(1, Math.min(2, availableParallelism())));
  return shared;
}
