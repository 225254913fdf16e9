/**
 * A pass that runs at start and then every `everyMs`, never twice at once: a call while one runs
 * shares it. The background work of a long-running process (keep-alive refreshes, usage polls).
 */
export class PeriodicPass {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  readonly #pass: (now: number) => Promise<void>;
  readonly #everyMs: number;

  constructor(pass: (now: number) => Promise<void>, everyMs: number) {
    this.#pass = pass;
    this.#everyMs = everyMs;
  }

  /** Runs one pass now and every `everyMs` after; nothing when `everyMs` is 0 or less. */
  start(): void {
    if (this.#everyMs <= 0) return;
    void this.runOnce();
    this.#timer = setInterval(() => void this.runOnce(), this.#everyMs).unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One pass; concurrent calls share it. */
  runOnce(now = Date.now()): Promise<void> {
    this.#running ??= this.#pass(now).finally(() => {
      this.#running = null;
    });
    return this.#running;
  }
}
