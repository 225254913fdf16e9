import type { Logger } from 'pino';
import type { Store, UsageRow } from '../../store/types.js';
import type { IrUsage } from '../formats/ir.js';
import type { GatewayMetrics } from '../metrics.js';

/**
 * Counts requests and tokens per client and model: Prometheus counters at once, the store in
 * per-minute rows written in one transaction every `saveEveryMs`.
 */
export class UsageMeter {
  #pending = new Map<string, UsageRow>();
  #timer: NodeJS.Timeout | null = null;
  #store: Store;
  #log: Logger;
  #metrics: GatewayMetrics;
  #saveEveryMs: number;

  constructor(o: { store: Store; log: Logger; metrics: GatewayMetrics; saveEveryMs?: number }) {
    this.#store = o.store;
    this.#log = o.log;
    this.#metrics = o.metrics;
    this.#saveEveryMs = o.saveEveryMs ?? 5000;
  }

  /** One served answer; `model` is a bounded `provider/model` label, `usage` null when the answer had none. */
  record(client: string, model: string, usage: IrUsage | null, now = Date.now()): void {
    const minute = now - (now % 60_000);
    const key = `${minute}\n${client}\n${model}`;
    let row = this.#pending.get(key);
    if (!row) {
      row = { minute, client, model, requests: 0, tokensIn: 0, tokensOut: 0 };
      this.#pending.set(key, row);
    }
    row.requests += 1;
    if (usage) {
      row.tokensIn += usage.inputTokens;
      row.tokensOut += usage.outputTokens;
      this.#metrics.tokens.inc({ client, model, direction: 'in' }, usage.inputTokens);
      this.#metrics.tokens.inc({ client, model, direction: 'out' }, usage.outputTokens);
    }
    this.#timer ??= setTimeout(() => void this.flush(), this.#saveEveryMs).unref();
  }

  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const rows = [...this.#pending.values()];
    this.#pending.clear();
    try {
      await this.#store.addUsage(rows);
    } catch (err) {
      this.#log.error({ err: (err as Error).message, lost: rows.length }, 'could not record usage');
    }
  }
}
