import type { IrUsage } from '../formats/ir.js';

/**
 * Token counts from an upstream JSON object in any shape clawkeep relays: a Responses object or
 * `response.completed` event (`usage.input_tokens/output_tokens`), a Chat Completions body or last
 * chunk (`usage.prompt_tokens/completion_tokens`), an Anthropic message, `message_start`
 * (`message.usage`) or `message_delta` (`usage.output_tokens`). Partial counts come back as 0.
 */
export function readUsage(json: unknown): IrUsage | null {
  if (!json || typeof json !== 'object') return null;
  const o = json as Record<string, unknown>;
  const usage = obj(o.usage) ?? obj(obj(o.response)?.usage) ?? obj(obj(o.message)?.usage) ?? null;
  if (!usage) return null;
  const input = num(usage.input_tokens) ?? num(usage.prompt_tokens) ?? null;
  const cacheRead = num(usage.cache_read_input_tokens) ?? 0;
  const cacheWrite = num(usage.cache_creation_input_tokens) ?? 0;
  const output = num(usage.output_tokens) ?? num(usage.completion_tokens) ?? null;
  if (input === null && output === null) return null;
  return { inputTokens: (input ?? 0) + cacheRead + cacheWrite, outputTokens: output ?? 0 };
}

/**
 * Watches a relayed SSE stream for usage without holding it: only `data:` lines that mention
 * `"usage"` are parsed. Anthropic splits the counts (input in `message_start`, output in
 * `message_delta`), so the largest seen of each is kept.
 */
export class SseUsageTap {
  #partial = '';
  #usage: IrUsage | null = null;

  push(chunk: Buffer | string): void {
    const text = this.#partial + chunk.toString();
    const lines = text.split('\n');
    this.#partial = lines.pop() ?? '';
    // A line can be long (a whole response object); keep the tail only while it may hold usage.
    if (this.#partial.length > 1_000_000) this.#partial = '';
    for (const line of lines) this.#line(line);
  }

  /** The counts seen so far (after the stream ends: the answer's). */
  result(): IrUsage | null {
    if (this.#partial) {
      this.#line(this.#partial);
      this.#partial = '';
    }
    return this.#usage;
  }

  #line(line: string): void {
    if (!line.startsWith('data:') || !line.includes('"usage"')) return;
    let json: unknown;
    try {
      json = JSON.parse(line.slice(5));
    } catch {
      return;
    }
    const u = readUsage(json);
    if (!u) return;
    this.#usage = {
      inputTokens: Math.max(this.#usage?.inputTokens ?? 0, u.inputTokens),
      outputTokens: Math.max(this.#usage?.outputTokens ?? 0, u.outputTokens),
    };
  }
}

function obj(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
