import { z } from 'zod';
import {
  chooseTool,
  estimateTokens,
  replyText,
  splitDeltas,
  type ToolChoice,
  type Turn,
  textOf,
} from './model-reply.js';
import type { SseEvent } from './sse.js';
import { newId } from './tokens.js';

/** An Anthropic Messages request, as far as the emulator reads it. */
export const MessagesRequestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(z.looseObject({ role: z.string(), content: z.unknown() })).min(1),
  system: z.unknown().optional(),
  tools: z.array(z.looseObject({ name: z.string() })).optional(),
  tool_choice: z.looseObject({ type: z.string(), name: z.string().optional() }).optional(),
  stream: z.boolean().optional(),
});

export type MessagesRequest = z.infer<typeof MessagesRequestSchema>;

function turnOf(messages: MessagesRequest['messages']): Turn {
  const lastUser = messages.findLast((m) => m.role === 'user');
  const content = lastUser?.content;
  const hasToolResult =
    Array.isArray(content) &&
    content.some((b: unknown) => b && typeof b === 'object' && 'type' in b && b.type === 'tool_result');
  return {
    text: textOf(content),
    endsWithUser: lastUser !== undefined && lastUser === messages.at(-1) && !hasToolResult,
  };
}

function toolChoiceOf(choice: MessagesRequest['tool_choice']): ToolChoice {
  if (choice?.type === 'any') return 'required';
  if (choice?.type === 'none') return 'none';
  if (choice?.type === 'tool' && choice.name) return { name: choice.name };
  return 'auto';
}

/** The Messages response and the SSE events that stream it. */
export function buildMessage(req: MessagesRequest): { message: unknown; events: SseEvent[] } {
  const turn = turnOf(req.messages);
  const tool = chooseTool(
    (req.tools ?? []).map((t) => t.name),
    turn,
    toolChoiceOf(req.tool_choice),
  );
  const text = tool === null ? replyText('anthropic', turn) : '';
  const block =
    tool === null
      ? { type: 'text', text }
      : { type: 'tool_use', id: newId('toolu', 12), name: tool, input: {} as Record<string, never> };
  const stopReason = tool === null ? 'end_turn' : 'tool_use';
  const inputTokens = estimateTokens([req.system ?? '', req.messages]);
  const outputTokens = estimateTokens(tool === null ? text : '{}');
  const shell = { id: newId('msg', 12), type: 'message', role: 'assistant', model: req.model };
  const cache = { cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const message = {
    ...shell,
    content: [block],
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { input_tokens: inputTokens, ...cache, output_tokens: outputTokens },
  };

  const deltas =
    tool === null
      ? splitDeltas(text).map((t) => ({ type: 'text_delta', text: t }))
      : ['', '{}'].map((json) => ({ type: 'input_json_delta', partial_json: json }));
  const sequence: Array<[string, Record<string, unknown>]> = [
    [
      'message_start',
      {
        message: {
          ...shell,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: inputTokens, ...cache, output_tokens: 1 },
        },
      },
    ],
    ['content_block_start', { index: 0, content_block: tool === null ? { type: 'text', text: '' } : block }],
    ['ping', {}],
    ...deltas.map((delta): [string, Record<string, unknown>] => ['content_block_delta', { index: 0, delta }]),
    ['content_block_stop', { index: 0 }],
    [
      'message_delta',
      { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } },
    ],
    ['message_stop', {}],
  ];
  return { message, events: sequence.map(([type, data]) => ({ event: type, data: { type, ...data } })) };
}
