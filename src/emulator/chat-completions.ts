import { z } from 'zod';
import {
  chooseTool,
  estimateTokens,
  replyText,
  roleOf,
  splitDeltas,
  type ToolChoice,
  textOf,
} from './model-reply.js';
import type { SseEvent } from './sse.js';
import { newId } from './tokens.js';

/** An OpenAI Chat Completions request, as far as the emulator reads it. */
export const ChatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({ role: z.string(), content: z.unknown().optional() })).min(1),
  tools: z
    .array(
      z.looseObject({
        type: z.string().optional(),
        function: z.looseObject({ name: z.string() }).optional(),
      }),
    )
    .optional(),
  tool_choice: z.unknown().optional(),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
});

export type ChatRequest = z.infer<typeof ChatRequestSchema>;

function toolChoiceOf(value: unknown): ToolChoice {
  if (value === 'none' || value === 'required') return value;
  if (value && typeof value === 'object' && 'function' in value) {
    const fn = value.function;
    if (fn && typeof fn === 'object' && 'name' in fn && typeof fn.name === 'string') return { name: fn.name };
  }
  return 'auto';
}

/** The chat.completion object and the chunk stream (ending in `[DONE]`) for `req`. */
export function buildChatCompletion(req: ChatRequest): { completion: unknown; chunks: SseEvent[] } {
  const lastUser = req.messages.findLast((m) => roleOf(m) === 'user');
  // System turns after the user's (reminders) do not end the user's turn.
  const last = req.messages.findLast((m) => roleOf(m) !== 'system' && roleOf(m) !== 'developer');
  const turn = { text: textOf(lastUser?.content), endsWithUser: last !== undefined && last === lastUser };
  const names = (req.tools ?? []).flatMap((t) => (t.function ? [t.function.name] : []));
  const tool = chooseTool(names, turn, toolChoiceOf(req.tool_choice));
  const text = tool === null ? replyText('openai', turn) : '';
  const call =
    tool === null
      ? null
      : { id: newId('call', 12), type: 'function', function: { name: tool, arguments: '{}' } };
  const promptTokens = estimateTokens(req.messages);
  const completionTokens = estimateTokens(call ? call.function.arguments : text);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  const finish = call ? 'tool_calls' : 'stop';
  const head = {
    id: newId('chatcmpl', 16),
    created: Math.floor(Date.now() / 1000),
    model: req.model,
    system_fingerprint: null,
  };

  const message = call
    ? { role: 'assistant', content: null, tool_calls: [call], refusal: null }
    : { role: 'assistant', content: text, refusal: null };
  const completion = {
    ...head,
    object: 'chat.completion',
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage,
  };

  const withUsage = req.stream_options?.include_usage === true;
  const chunk = (delta: Record<string, unknown>, finishReason: string | null): SseEvent => ({
    data: {
      ...head,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(withUsage ? { usage: null } : {}),
    },
  });
  const deltas = call
    ? [
        chunk(
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ index: 0, ...call, function: { name: tool, arguments: '' } }],
          },
          null,
        ),
        chunk({ tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] }, null),
      ]
    : [
        chunk({ role: 'assistant', content: '', refusal: null }, null),
        ...splitDeltas(text).map((content) => chunk({ content }, null)),
      ];
  const chunks: SseEvent[] = [...deltas, chunk({}, finish)];
  if (withUsage) chunks.push({ data: { ...head, object: 'chat.completion.chunk', choices: [], usage } });
  chunks.push({ data: '[DONE]' });
  return { completion, chunks };
}
