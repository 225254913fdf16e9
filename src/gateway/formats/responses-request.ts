import { z } from 'zod';
import { IMAGE_OMITTED, joinSystem } from './content.js';
import type { IrMessage, IrPart, IrRequest, IrTool, IrToolChoice } from './ir.js';
import { Dropped, isEffort, markOther, OTHER, unmappedFields } from './request-extras.js';
import { invalidField, parseBody } from './validate.js';

const InputText = z.looseObject({ type: z.literal('input_text'), text: z.string() });
const OutputText = z.looseObject({ type: z.literal('output_text'), text: z.string() });
const InputImage = z.looseObject({ type: z.literal('input_image'), image_url: z.string() });
const Refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const ContentPart = z.discriminatedUnion('type', [InputText, OutputText, InputImage, Refusal]);

const MessageItem = z.looseObject({
  type: z.literal('message'),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(ContentPart)]),
});
const FunctionCall = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
});
const FunctionCallOutput = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string(),
  output: z.union([z.string(), z.array(z.discriminatedUnion('type', [InputText, InputImage]))]),
});
// Other items (reasoning, signed for one provider; custom and built-in tool calls…) have no neutral
// equivalent and are reported dropped.
const OtherItem = z.object({ type: z.literal(OTHER), original: z.string() });
const KnownItem = z.discriminatedUnion('type', [MessageItem, FunctionCall, FunctionCallOutput]);
const KNOWN_ITEM_TYPES: ReadonlySet<string> = new Set(['message', 'function_call', 'function_call_output']);

/** Items written `{role, content}` without a type are messages (the API's "easy input message"). */
const Item = z.preprocess(
  (v) =>
    v !== null && typeof v === 'object' && !('type' in v) && 'role' in v
      ? { ...v, type: 'message' }
      : markOther(v, KNOWN_ITEM_TYPES),
  z.discriminatedUnion('type', [MessageItem, FunctionCall, FunctionCallOutput, OtherItem]),
);

const FunctionTool = z.looseObject({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
});
// `namespace` groups function tools (Codex CLI's `multi_agent_v1`); other types are built-in tools.
const AnyTool = z.looseObject({
  type: z.string(),
  name: z.string().optional(),
  tools: z.array(z.unknown()).optional(),
});

/** The name a namespaced function tool takes once flattened: `namespace__name`. */
export const NAMESPACE_SEPARATOR = '__';

const MAPPED: ReadonlySet<string> = new Set([
  'instructions',
  'input',
  'tools',
  'tool_choice',
  'max_output_tokens',
  'temperature',
  'top_p',
  'reasoning',
  'parallel_tool_calls',
  'prompt_cache_key',
]);

const ToolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.looseObject({ type: z.literal('function'), name: z.string() }),
]);

const ResponsesRequest = z.looseObject({
  model: z.string().min(1),
  instructions: z.string().nullish(),
  input: z.union([z.string(), z.array(Item)]),
  tools: z.array(AnyTool).nullish(),
  tool_choice: ToolChoice.nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  stream: z.boolean().nullish(),
  previous_response_id: z.string().nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish() }).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  prompt_cache_key: z.string().nullish(),
});

type ResponsesItem = z.infer<typeof KnownItem>;

/** Parses an OpenAI Responses API request body; throws `ClawkeepError('usage')` naming the bad field. */
export function parseResponsesRequest(body: unknown): IrRequest {
  const req = parseBody(ResponsesRequest, body);
  if (req.previous_response_id) {
    invalidField(
      ['previous_response_id'],
      'not supported: the gateway stores no responses; send the whole conversation in input',
    );
  }
  const dropped = new Dropped();
  for (const f of unmappedFields(body, MAPPED)) dropped.add(f);
  const system: string[] = req.instructions ? [req.instructions] : [];
  const items: ResponsesItem[] = [];
  for (const item of typeof req.input === 'string'
    ? [{ type: 'message' as const, role: 'user' as const, content: req.input }]
    : req.input) {
    if (item.type === OTHER) dropped.add(`input[type=${item.original}]`);
    else items.push(item);
  }
  const messages = messagesOf(items, system);
  const effort = req.reasoning?.effort ?? null;
  return {
    model: req.model,
    system: joinSystem(system),
    messages,
    tools: toolsOf(req.tools ?? [], dropped),
    toolChoice: toolChoiceOf(req.tool_choice),
    maxTokens: req.max_output_tokens ?? null,
    temperature: req.temperature ?? null,
    topP: req.top_p ?? null,
    stop: [],
    stream: req.stream === true,
    reasoning: isEffort(effort) ? { effort, budgetTokens: null } : null,
    parallelToolCalls: req.parallel_tool_calls ?? null,
    cache: { key: req.prompt_cache_key ?? null, requested: req.prompt_cache_key != null },
    dropped: dropped.list(),
  };
}

/** Function tools as they are, namespaced ones flattened (`ns__name`); every other tool type is dropped. */
function toolsOf(tools: readonly z.infer<typeof AnyTool>[], dropped: Dropped): IrTool[] {
  const out: IrTool[] = [];
  const add = (t: unknown, prefix: string) => {
    const f = FunctionTool.safeParse(t);
    if (!f.success) return false;
    out.push({
      name: `${prefix}${f.data.name}`,
      description: f.data.description ?? null,
      parameters: f.data.parameters ?? { type: 'object', properties: {} },
    });
    return true;
  };
  for (const t of tools) {
    if (t.type === 'namespace' && t.name) {
      for (const inner of t.tools ?? []) {
        if (!add(inner, `${t.name}${NAMESPACE_SEPARATOR}`)) dropped.add(`tools[namespace=${t.name}]`);
      }
    } else if (!add(t, '')) dropped.add(`tools[type=${t.type}]`);
  }
  return out;
}

/** Input items as neutral messages; function calls join the assistant message they follow. */
function messagesOf(items: readonly ResponsesItem[], system: string[]): IrMessage[] {
  const messages: IrMessage[] = [];
  const toolNames = new Map<string, string>();
  for (const item of items) {
    switch (item.type) {
      case 'message': {
        if (item.role === 'system' || item.role === 'developer') {
          // Only the system turns before the conversation starts make the system prompt.
          if (messages.length === 0) system.push(textOf(item.content));
          else messages.push({ role: 'system', text: textOf(item.content) });
        } else if (item.role === 'user') messages.push({ role: 'user', content: partsOf(item.content) });
        else messages.push({ role: 'assistant', content: assistantParts(item.content), toolCalls: [] });
        break;
      }
      case 'function_call': {
        toolNames.set(item.call_id, item.name);
        const call = { id: item.call_id, name: item.name, arguments: item.arguments };
        const last = messages.at(-1);
        if (last?.role === 'assistant') last.toolCalls.push(call);
        else messages.push({ role: 'assistant', content: [], toolCalls: [call] });
        break;
      }
      case 'function_call_output':
        messages.push({
          role: 'tool',
          toolCallId: item.call_id,
          name: toolNames.get(item.call_id) ?? null,
          content: textOf(item.output),
          isError: false,
        });
        break;
    }
  }
  return messages;
}

type Part = z.infer<typeof ContentPart>;

function partsOf(content: string | Part[]): IrPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((p) => (p.type === 'input_image' ? { type: 'image', url: p.image_url } : textPart(p)));
}

function assistantParts(content: string | Part[]): IrPart[] {
  const text = textOf(content);
  return text === '' ? [] : [{ type: 'text', text }];
}

function textPart(p: Exclude<Part, { type: 'input_image' }>): IrPart {
  return { type: 'text', text: plainText(p) };
}

/** System prompts and tool outputs are text only: an image there becomes a marker. */
function textOf(content: string | Part[]): string {
  if (typeof content === 'string') return content;
  return content.map((p) => (p.type === 'input_image' ? IMAGE_OMITTED : plainText(p))).join('');
}

function plainText(p: Exclude<Part, { type: 'input_image' }>): string {
  return p.type === 'refusal' ? p.refusal : p.text;
}

function toolChoiceOf(choice: z.infer<typeof ToolChoice> | null | undefined): IrToolChoice {
  if (choice == null) return 'auto';
  return typeof choice === 'string' ? choice : { name: choice.name };
}
