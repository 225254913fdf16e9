import { parseToolArguments } from './content.js';
import { idFor } from './ids.js';
import type { IrResponse, IrStopReason, IrUsage } from './ir.js';

const STOP_REASONS: Readonly<Record<IrStopReason, string>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
  error: 'end_turn',
};

/** The Anthropic `stop_reason` for a neutral stop reason. */
export function anthropicStopReason(reason: IrStopReason): string {
  return STOP_REASONS[reason];
}

export function anthropicUsage(usage: IrUsage): Record<string, number> {
  return {
    input_tokens: usage.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: usage.outputTokens,
  };
}

/** A whole answer as an Anthropic `message` object. */
export function formatMessagesResponse(r: IrResponse): Record<string, unknown> {
  const content: Record<string, unknown>[] = r.text === '' ? [] : [{ type: 'text', text: r.text }];
  for (const c of r.toolCalls) {
    content.push({ type: 'tool_use', id: c.id, name: c.name, input: parseToolArguments(c.arguments) });
  }
  return {
    id: idFor(r.id, 'msg'),
    type: 'message',
    role: 'assistant',
    model: r.model,
    content,
    stop_reason: anthropicStopReason(r.stopReason),
    stop_sequence: null,
    usage: anthropicUsage(r.usage),
  };
}
