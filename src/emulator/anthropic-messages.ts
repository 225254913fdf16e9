import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { MessagesRequest } from './messages-rules.js';
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

/**
 * A loose reading of a Messages request (codec tests build replies from it); the route itself
 * validates with `checkMessages` in messages-rules.ts.
 */
export const MessagesRequestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z
    .array(z.looseObject({ role: z.enum(['user', 'assistant', 'system']), content: z.unknown() }))
    .min(1),
  system: z.unknown().optional(),
  tools: z.array(z.looseObject({ name: z.string() })).optional(),
  tool_choice: z.looseObject({ type: z.string(), name: z.string().optional() }).optional(),
  thinking: z.looseObject({ type: z.string() }).optional(),
  stream: z.boolean().optional(),
});

/** What a reply is built from. */
export type MessagesReplyInput = Pick<MessagesRequest, 'model' | 'system' | 'stream'> & {
  messages: ReadonlyArray<{ role: string; content: unknown }>;
  tools?: ReadonlyArray<{ name: string }>;
  tool_choice?: { type: string; name?: string };
  thinking?: { type: string; display?: string | null };
};

function turnOf(messages: MessagesReplyInput['messages']): Turn {
  const lastUser = messages.findLast((m) => m.role === 'user');
  const content = lastUser?.content;
  const hasToolResult =
    Array.isArray(content) &&
    content.some((b: unknown) => b && typeof b === 'object' && 'type' in b && b.type === 'tool_result');
  const last = messages.findLast((m) => m.role !== 'system');
  return {
    text: textOf(content),
    endsWithUser: lastUser !== undefined && lastUser === last && !hasToolResult,
  };
}

function toolChoiceOf(choice: MessagesReplyInput['tool_choice']): ToolChoice {
  if (choice?.type === 'any') return 'required';
  if (choice?.type === 'none') return 'none';
  if (choice?.type === 'tool' && choice.name) return { name: choice.name };
  return 'auto';
}

/** A deterministic stand-in for the signature that lets a thinking block be sent back. */
function signatureOf(thinking: string): string {
  return Buffer.from(createHash('sha256').update(`emulated-thinking:${thinking}`).digest()).toString(
    'base64',
  );
}

type Step = [string, Record<string, unknown>];

/** Estimated input tokens of a request (also the `count_tokens` answer). */
export function countInputTokens(req: Pick<MessagesReplyInput, 'system' | 'messages' | 'tools'>): number {
  return estimateTokens([req.system ?? '', req.messages, req.tools ?? []]);
}

/** The Messages response and the SSE events that stream it; thinking comes first when enabled. */
export function buildMessage(req: MessagesReplyInput): {
  message: Record<string, unknown>;
  events: SseEvent[];
} {
  const turn = turnOf(req.messages);
  const tool = chooseTool(
    (req.tools ?? []).map((t) => t.name),
    turn,
    toolChoiceOf(req.tool_choice),
  );
  const text = tool === null ? replyText('anthropic', turn) : '';
  const thinks = req.thinking?.type === 'enabled' || req.thinking?.type === 'adaptive';
  // `display: "omitted"` keeps the block and its signature but not the text
  const shown = req.thinking?.display !== 'omitted';
  const thinking = thinks ? (shown ? `emulated thinking about: ${turn.text}` : '') : null;
  const answer =
    tool === null
      ? { type: 'text', text }
      : { type: 'tool_use', id: newId('toolu', 12), name: tool, input: {} as Record<string, never> };
  const blocks: Array<Record<string, unknown>> = [
    ...(thinking === null ? [] : [{ type: 'thinking', thinking, signature: signatureOf(thinking) }]),
    answer,
  ];
  const stopReason = tool === null ? 'end_turn' : 'tool_use';
  const inputTokens = countInputTokens(req);
  const outputTokens =
    estimateTokens(tool === null ? text : '{}') + (thinking ? estimateTokens(thinking) : 0);
  const shell = { id: newId('msg', 12), type: 'message', role: 'assistant', model: req.model };
  const cache = { cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const message = {
    ...shell,
    content: blocks,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { input_tokens: inputTokens, ...cache, output_tokens: outputTokens },
  };

  const blockSteps = blocks.flatMap((block, index): Step[] => {
    const delta = (d: Record<string, unknown>): Step => ['content_block_delta', { index, delta: d }];
    const deltas: Step[] =
      block.type === 'thinking'
        ? [
            ...(block.thinking === ''
              ? []
              : splitDeltas(String(block.thinking)).map((t) =>
                  delta({ type: 'thinking_delta', thinking: t }),
                )),
            delta({ type: 'signature_delta', signature: block.signature }),
          ]
        : block.type === 'text'
          ? splitDeltas(text).map((t) => delta({ type: 'text_delta', text: t }))
          : ['', '{}'].map((json) => delta({ type: 'input_json_delta', partial_json: json }));
    const start =
      block.type === 'thinking'
        ? { type: 'thinking', thinking: '', signature: '' }
        : block.type === 'text'
          ? { type: 'text', text: '' }
          : block;
    return [
      ['content_block_start', { index, content_block: start }],
      ...deltas,
      ['content_block_stop', { index }],
    ];
  });
  const sequence: Step[] = [
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
    // the real stream pings right after the first block starts
    ...blockSteps.slice(0, 1),
    ['ping', {}],
    ...blockSteps.slice(1),
    [
      'message_delta',
      { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } },
    ],
    ['message_stop', {}],
  ];
  return { message, events: sequence.map(([type, data]) => ({ event: type, data: { type, ...data } })) };
}
