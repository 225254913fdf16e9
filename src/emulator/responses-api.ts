import { z } from 'zod';
import {
  chooseTool,
  estimateTokens,
  replyText,
  roleOf,
  splitDeltas,
  type ToolChoice,
  type Turn,
  textOf,
} from './model-reply.js';
import type { SseEvent } from './sse.js';
import { newId, type ProviderId } from './tokens.js';

/** An OpenAI Responses API request, as far as the emulator reads it. */
export const ResponsesRequestSchema = z.looseObject({
  model: z.string().min(1),
  instructions: z.string().nullish(),
  input: z.union([z.string(), z.array(z.unknown())]),
  tools: z.array(z.looseObject({ type: z.string().optional(), name: z.string().optional() })).optional(),
  tool_choice: z.unknown().optional(),
  stream: z.boolean().optional(),
});

export type ResponsesRequest = z.infer<typeof ResponsesRequestSchema>;

function turnOf(input: ResponsesRequest['input']): Turn {
  if (typeof input === 'string') return { text: input, endsWithUser: true };
  const lastUser = input.findLast((item) => roleOf(item) === 'user');
  const content =
    lastUser && typeof lastUser === 'object' && 'content' in lastUser ? lastUser.content : undefined;
  return { text: textOf(content), endsWithUser: lastUser !== undefined && lastUser === input.at(-1) };
}

function toolChoiceOf(value: unknown): ToolChoice {
  if (value === 'none' || value === 'required') return value;
  if (value && typeof value === 'object' && 'name' in value && typeof value.name === 'string') {
    return { name: value.name };
  }
  return 'auto';
}

/** The final Response object and the SSE events that stream it. */
export function buildResponse(
  provider: ProviderId,
  req: ResponsesRequest,
): { response: unknown; events: SseEvent[] } {
  const turn = turnOf(req.input);
  const names = (req.tools ?? []).flatMap((t) => (t.name ? [t.name] : []));
  const tool = chooseTool(names, turn, toolChoiceOf(req.tool_choice));
  const text = tool === null ? replyText(provider, turn) : '';
  const args = '{}';
  const itemId = newId(tool === null ? 'msg' : 'fc', 16);
  const doneItem =
    tool === null
      ? { id: itemId, type: 'message', status: 'completed', role: 'assistant', content: [outputText(text)] }
      : {
          id: itemId,
          type: 'function_call',
          status: 'completed',
          arguments: args,
          call_id: newId('call', 12),
          name: tool,
        };
  const inputTokens = estimateTokens([req.instructions ?? '', req.input]);
  const outputTokens = estimateTokens(tool === null ? text : args);
  const shell = {
    id: newId('resp', 24),
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    error: null,
    incomplete_details: null,
    instructions: req.instructions ?? null,
    model: req.model,
    parallel_tool_calls: true,
    tool_choice: req.tool_choice ?? 'auto',
    tools: req.tools ?? [],
  };
  const pending = { ...shell, status: 'in_progress', output: [], usage: null };
  const response = {
    ...shell,
    status: 'completed',
    output: [doneItem],
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + outputTokens,
    },
  };

  return { response, events: streamEvents(pending, response, doneItem, text) };
}

type Step = [type: string, data: Record<string, unknown>];

/** The Responses SSE sequence for one output item, numbered like the real stream. */
function streamEvents(
  pending: unknown,
  response: unknown,
  item: { id: string; type: string; arguments?: string },
  text: string,
): SseEvent[] {
  const at = { item_id: item.id, output_index: 0 };
  const itemSteps: Step[] =
    item.type === 'message'
      ? [
          [
            'response.output_item.added',
            { output_index: 0, item: { ...item, status: 'in_progress', content: [] } },
          ],
          ['response.content_part.added', { ...at, content_index: 0, part: outputText('') }],
          ...splitDeltas(text).map(
            (delta): Step => ['response.output_text.delta', { ...at, content_index: 0, delta }],
          ),
          ['response.output_text.done', { ...at, content_index: 0, text }],
          ['response.content_part.done', { ...at, content_index: 0, part: outputText(text) }],
        ]
      : [
          [
            'response.output_item.added',
            { output_index: 0, item: { ...item, status: 'in_progress', arguments: '' } },
          ],
          ['response.function_call_arguments.delta', { ...at, delta: item.arguments }],
          ['response.function_call_arguments.done', { ...at, arguments: item.arguments }],
        ];
  const steps: Step[] = [
    ['response.created', { response: pending }],
    ['response.in_progress', { response: pending }],
    ...itemSteps,
    ['response.output_item.done', { output_index: 0, item }],
    ['response.completed', { response }],
  ];
  return steps.map(([type, data], i) => ({ event: type, data: { type, sequence_number: i, ...data } }));
}

function outputText(text: string) {
  return { type: 'output_text', text, annotations: [] };
}
