import { z } from 'zod';
import type { ProviderId } from './tokens.js';

export type FaultTarget = 'token' | 'model';

const count = z.number().int().positive();

/** The body of `POST /_emulator/faults`: one rule; counted faults are consumed one per matching request. */
export const FaultRuleSchema = z.strictObject({
  target: z.enum(['token', 'model', 'all']).default('all'),
  provider: z.enum(['openai-codex', 'anthropic', 'openai']).optional(),
  /** Added to every matching request until the faults are cleared. */
  latencyMs: z.number().int().nonnegative().max(600_000).optional(),
  status5xx: z.strictObject({ count, status: z.number().int().min(500).max(599).default(500) }).optional(),
  rateLimit: z.strictObject({ count, retryAfterSeconds: z.number().int().nonnegative() }).optional(),
  /** Rotate, then destroy the socket without answering (token refreshes only). */
  dropAfterRotate: z.strictObject({ count }).optional(),
});

export type FaultRule = z.infer<typeof FaultRuleSchema>;

/** What a request should get instead of its normal answer. */
export type FaultAction =
  | { kind: 'none' }
  | { kind: 'status5xx'; status: number }
  | { kind: 'rateLimit'; retryAfterSeconds: number };

export interface FaultCounters {
  latency: number;
  status5xx: number;
  rateLimit: number;
  dropAfterRotate: number;
}

/** The active fault rules and how many faults they injected. */
export class Faults {
  #rules: FaultRule[] = [];
  #injected: FaultCounters = { latency: 0, status5xx: 0, rateLimit: 0, dropAfterRotate: 0 };

  add(rule: FaultRule): void {
    this.#rules.push(structuredClone(rule));
  }

  clear(): void {
    this.#rules = [];
  }

  list(): FaultRule[] {
    return structuredClone(this.#rules);
  }

  injected(): FaultCounters {
    return { ...this.#injected };
  }

  /** Total latency the matching rules add to this request. */
  latencyFor(target: FaultTarget, provider: ProviderId): number {
    let ms = 0;
    for (const rule of this.#matching(target, provider)) ms += rule.latencyMs ?? 0;
    if (ms > 0) this.#injected.latency += 1;
    return ms;
  }

  /** Consumes one rate-limit or 5xx fault, rate limits first. */
  take(target: FaultTarget, provider: ProviderId): FaultAction {
    for (const rule of this.#matching(target, provider)) {
      if (rule.rateLimit && rule.rateLimit.count > 0) {
        rule.rateLimit.count -= 1;
        this.#injected.rateLimit += 1;
        this.#prune();
        return { kind: 'rateLimit', retryAfterSeconds: rule.rateLimit.retryAfterSeconds };
      }
    }
    for (const rule of this.#matching(target, provider)) {
      if (rule.status5xx && rule.status5xx.count > 0) {
        rule.status5xx.count -= 1;
        this.#injected.status5xx += 1;
        this.#prune();
        return { kind: 'status5xx', status: rule.status5xx.status };
      }
    }
    return { kind: 'none' };
  }

  /** Consumes one drop-after-rotate fault for a refresh that just rotated. */
  takeDropAfterRotate(provider: ProviderId): boolean {
    for (const rule of this.#matching('token', provider)) {
      if (rule.dropAfterRotate && rule.dropAfterRotate.count > 0) {
        rule.dropAfterRotate.count -= 1;
        this.#injected.dropAfterRotate += 1;
        this.#prune();
        return true;
      }
    }
    return false;
  }

  #matching(target: FaultTarget, provider: ProviderId): FaultRule[] {
    return this.#rules.filter(
      (r) =>
        (r.target === 'all' || r.target === target) && (r.provider === undefined || r.provider === provider),
    );
  }

  #prune(): void {
    this.#rules = this.#rules.filter(
      (r) =>
        (r.latencyMs ?? 0) > 0 ||
        (r.status5xx?.count ?? 0) > 0 ||
        (r.rateLimit?.count ?? 0) > 0 ||
        (r.dropAfterRotate?.count ?? 0) > 0,
    );
  }
}
