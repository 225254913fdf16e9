import type { Logger } from 'pino';
import type { NewEvent, Store } from '../store/types.js';

/**
 * Collects request-path events (fallbacks) and writes them in one transaction every `intervalMs`,
 * so a burst of fallbacks costs one fsync, not one per request.
 */
export class EventBuffer {
  #store: Store;
  #log: Logger;
  #pending: Array<NewEvent & { at: number }> = [];
  #timer: NodeJS.Timeout | null = null;
  #intervalMs: number;

  constructor(store: Store, log: Logger, intervalMs = 200) {
    this.#store = store;
    this.#log = log;
    this.#intervalMs = intervalMs;
  }

  push(event: NewEvent, at = Date.now()): void {
    this.#pending.push({ ...event, at });
    this.#timer ??= setTimeout(() => void this.flush(), this.#intervalMs).unref();
  }

  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#pending;
    this.#pending = [];
    try {
      await this.#store.appendEvents(batch);
    } catch (err) {
      this.#log.error({ err: (err as Error).message, lost: batch.length }, 'could not record events');
    }
  }
}
