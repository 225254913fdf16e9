/** One in-flight run per key; concurrent callers share its promise. */
export class SingleFlight<T> {
  #inflight = new Map<string, Promise<T>>();

  /** True while a run for `key` is in flight. */
  has(key: string): boolean {
    return this.#inflight.has(key);
  }

  run(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.#inflight.get(key);
    if (running) return running;
    const p = fn().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, p);
    return p;
  }
}
