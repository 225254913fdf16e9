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
import type { ResponsesRequest } from './responses-schema.js';
import type { SseEvent } from './sse.js';
import { newId, type ProviderId } from './tokens.js';

export { type ResponsesRequest, ResponsesRequestSchema } from './responses-schema.js';

function turnOf(input: ResponsesRequest['input']): Turn {
  if (input === undefined) return { text: '', endsWithUser: false };
  if (typeof input === 'string') return { text: input, endsWithUser: true };
  const lastUser = input.findLast((item) => roleOf(item) === 'user');
  const content =
    lastUser && typeof lastUser === 'object' && 'content' in lastUser ? lastUser.content : undefined;
  // System and developer turns after the user's (Claude Code's reminders) do not end the user's turn.
  const last = input.findLast((item) => roleOf(item) !== 'system' && roleOf(item) !== 'developer');
  return { text: textOf(content), endsWithUser: lastUser !== undefined && lastUser === last };
}

function toolChoiceOf(value: unknown): ToolChoice {
  if (value === 'none' || value === 'required') return value;
  if (value && typeof value === 'object' && 'name' in value && typeof value.name === 'string') {
    return { name: value.name };
  }
  return 'auto';
}

type Item = Record<string, unknown> & { id: string; type: string };
/** Makes a reasoning item's `encrypted_content`. */
export type Seal = (payload: Record<string, unknown>) => string;

const unsealed: Seal = (payload) => Buffer.from(JSON.stringify(payload)).toString('base64');
type Step = [type: string, data: Record<string, unknown>];

/** The reasoning item, when the request asked for reasoning (an effort other than `none`). */
function reasoningItem(
  req: ResponsesRequest,
  turn: Turn,
  seal: Seal,
): { item: Item; summary: string } | null {
  const effort = req.reasoning?.effort;
  if (!req.reasoning || effort === 'none') return null;
  const wantsSummary = Boolean(req.reasoning.summary ?? req.reasoning.generate_summary);
  const summary = wantsSummary ? `emulated reasoning about: ${turn.text}` : '';
  const id = newId('rs', 24);
  const encrypted = req.include?.includes('reasoning.encrypted_content')
    ? { encrypted_content: seal({ id, summary }) }
    : {};
  return {
    item: {
      id,
      type: 'reasoning',
      summary: wantsSummary ? [{ type: 'summary_text', text: summary }] : [],
      ...encrypted,
    },
    summary,
  };
}

/** The final Response object and the SSE events that stream it. */
export function buildResponse(
  provider: ProviderId,
  req: ResponsesRequest,
  seal: Seal = unsealed,
): { response: Record<string, unknown> & { id: string }; events: SseEvent[] } {
  const turn = turnOf(req.input);
  const callable = (req.tools ?? []).flatMap((t) =>
    t.type === 'function' || t.type === 'custom' ? [{ name: t.name, type: t.type }] : [],
  );
  const tool = chooseTool(
    callable.map((t) => t.name),
    turn,
    toolChoiceOf(req.tool_choice),
  );
  const custom = tool !== null && callable.find((t) => t.name === tool)?.type === 'custom';
  const text = tool === null ? replyText(provider, turn) : '';
  const args = custom ? '' : '{}';
  const reasoning = reasoningItem(req, turn, seal);
  const answer: Item =
    tool === null
      ? {
          id: newId('msg', 16),
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [outputText(text)],
        }
      : custom
        ? {
            id: newId('ctc', 16),
            type: 'custom_tool_call',
            status: 'completed',
            call_id: newId('call', 12),
            name: tool,
            input: args,
          }
        : {
            id: newId('fc', 16),
            type: 'function_call',
            status: 'completed',
            arguments: args,
            call_id: newId('call', 12),
            name: tool,
          };
  const inputTokens = estimateTokens([req.instructions ?? '', req.input ?? '', req.tools ?? []]);
  const reasoningTokens = reasoning ? estimateTokens(reasoning.summary || 'reasoning') : 0;
  const outputTokens = estimateTokens(tool === null ? text : args) + reasoningTokens;
  const shell = {
    id: newId('resp', 24),
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    error: null,
    incomplete_details: null,
    instructions: req.instructions ?? null,
    model: req.model,
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    previous_response_id: req.previous_response_id ?? null,
    prompt_cache_key: req.prompt_cache_key ?? null,
    reasoning: { effort: req.reasoning?.effort ?? null, summary: req.reasoning?.summary ?? null },
    service_tier: req.service_tier ?? 'default',
    store: req.store ?? true,
    text: { format: { type: 'text' }, verbosity: 'medium', ...req.text },
    tool_choice: req.tool_choice ?? 'auto',
    tools: req.tools ?? [],
  };
  const pending = { ...shell, status: 'in_progress', output: [], usage: null };
  const output = reasoning ? [reasoning.item, answer] : [answer];
  const response = {
    ...shell,
    status: 'completed',
    output,
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: reasoningTokens },
      total_tokens: inputTokens + outputTokens,
    },
  };

  const steps: Step[] = [
    ['response.created', { response: pending }],
    ['response.in_progress', { response: pending }],
    ...(reasoning ? reasoningSteps(reasoning.item, reasoning.summary, 0) : []),
    ...answerSteps(answer, text, reasoning ? 1 : 0),
    ['response.completed', { response }],
  ];
  const events = steps.map(([type, data], i) => ({
    event: type,
    data: { type, sequence_number: i, ...data },
  }));
  return { response, events };
}

function reasoningSteps(item: Item, summary: string, index: number): Step[] {
  const at = { item_id: item.id, output_index: index };
  const part = (text: string) => ({ type: 'summary_text', text });
  const summarySteps: Step[] =
    summary === ''
      ? []
      : [
          ['response.reasoning_summary_part.added', { ...at, summary_index: 0, part: part('') }],
          ...splitDeltas(summary).map(
            (delta): Step => ['response.reasoning_summary_text.delta', { ...at, summary_index: 0, delta }],
          ),
          ['response.reasoning_summary_text.done', { ...at, summary_index: 0, text: summary }],
          ['response.reasoning_summary_part.done', { ...at, summary_index: 0, part: part(summary) }],
        ];
  return [
    [
      'response.output_item.added',
      { output_index: index, item: { id: item.id, type: 'reasoning', summary: [] } },
    ],
    ...summarySteps,
    ['response.output_item.done', { output_index: index, item }],
  ];
}

/** The Responses SSE sequence for the answer item, numbered like the real stream. */
function answerSteps(item: Item, text: string, index: number): Step[] {
  const at = { item_id: item.id, output_index: index };
  const added = (extra: Record<string, unknown>): Step => [
    'response.output_item.added',
    { output_index: index, item: { ...item, status: 'in_progress', ...extra } },
  ];
  const body: Step[] =
    item.type === 'message'
      ? [
          added({ content: [] }),
          ['response.content_part.added', { ...at, content_index: 0, part: outputText('') }],
          ...splitDeltas(text).map(
            (delta): Step => ['response.output_text.delta', { ...at, content_index: 0, delta }],
          ),
          ['response.output_text.done', { ...at, content_index: 0, text }],
          ['response.content_part.done', { ...at, content_index: 0, part: outputText(text) }],
        ]
      : item.type === 'custom_tool_call'
        ? [
            added({ input: '' }),
            ['response.custom_tool_call_input.delta', { ...at, delta: item.input }],
            ['response.custom_tool_call_input.done', { ...at, input: item.input }],
          ]
        : [
            added({ arguments: '' }),
            ['response.function_call_arguments.delta', { ...at, delta: item.arguments }],
            ['response.function_call_arguments.done', { ...at, arguments: item.arguments }],
          ];
  return [...body, ['response.output_item.done', { output_index: index, item }]];
}

function outputText(text: string) {
  return { type: 'output_text', text, annotations: [] };
}
