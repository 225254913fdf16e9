import { idFor } from './ids.js';
import type { IrResponse, IrStopReason, IrToolCall, IrUsage } from './ir.js';

const FINISH_REASONS: Readonly<Record<IrStopReason, string>> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  content_filter: 'content_filter',
  // Chat has no error finish reason; errors travel as error bodies, so this only marks a cut-short answer.
  error: 'stop',
};

/** The chat `finish_reason` for a neutral stop reason. */
export function chatFinishReason(reason: IrStopReason): string {
  return FINISH_REASONS[reason];
}

/** Chat's usage object. */
export function chatUsage(usage: IrUsage): Record<string, number> {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/** A whole answer as an OpenAI `chat.completion` object. */
export function formatChatResponse(r: IrResponse): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: r.text === '' && r.toolCalls.length > 0 ? null : r.text,
    refusal: null,
  };
  if (r.toolCalls.length > 0) message.tool_calls = r.toolCalls.map(chatToolCall);
  return {
    id: idFor(r.id, 'chatcmpl', '-'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: r.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: chatFinishReason(r.stopReason) }],
    usage: chatUsage(r.usage),
    system_fingerprint: null,
  };
}

function chatToolCall(c: IrToolCall): Record<string, unknown> {
  return { id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } };
}
