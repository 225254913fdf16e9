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
  namespace: z.string().nullish(),
  arguments: z.string(),
});
const ToolOutput = z.union([z.string(), z.array(z.discriminatedUnion('type', [InputText, InputImage]))]);
const FunctionCallOutput = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string(),
  output: ToolOutput,
});
// Freeform tools (Codex CLI's `exec`, `apply_patch`) travel as functions of `{input}` across families.
const CustomToolCall = z.looseObject({
  type: z.literal('custom_tool_call'),
  call_id: z.string(),
  name: z.string(),
  namespace: z.string().nullish(),
  input: z.string(),
});
const CustomToolCallOutput = z.looseObject({
  type: z.literal('custom_tool_call_output'),
  call_id: z.string(),
  output: ToolOutput,
});
// Other items (reasoning, signed for one provider; custom and built-in tool calls…) have no neutral
// equivalent and are reported dropped.
const OtherItem = z.object({ type: z.literal(OTHER), original: z.string() });
// Codex CLI's responses-lite requests carry their tools in an input item rather than in `tools`.
const AdditionalTools = z.looseObject({ type: z.literal('additional_tools'), tools: z.array(z.unknown()) });
const KnownItem = z.discriminatedUnion('type', [
  MessageItem,
  FunctionCall,
  FunctionCallOutput,
  CustomToolCall,
  CustomToolCallOutput,
  AdditionalTools,
]);
const KNOWN_ITEM_TYPES: ReadonlySet<string> = new Set([
  'message',
  'function_call',
  'function_call_output',
  'custom_tool_call',
  'custom_tool_call_output',
  'additional_tools',
]);

/** Items written `{role, content}` without a type are messages (the API's "easy input message"). */
const Item = z.preprocess(
  (v) =>
    v !== null && typeof v === 'object' && !('type' in v) && 'role' in v
      ? { ...v, type: 'message' }
      : markOther(v, KNOWN_ITEM_TYPES),
  z.discriminatedUnion('type', [
    MessageItem,
    FunctionCall,
    FunctionCallOutput,
    CustomToolCall,
    CustomToolCallOutput,
    AdditionalTools,
    OtherItem,
  ]),
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
  const toolSpecs: unknown[] = [...(req.tools ?? [])];
  for (const item of typeof req.input === 'string'
    ? [{ type: 'message' as const, role: 'user' as const, content: req.input }]
    : req.input) {
    if (item.type === OTHER) dropped.add(`input[type=${item.original}]`);
    else if (item.type === 'additional_tools') toolSpecs.push(...item.tools);
    else items.push(item);
  }
  const messages = messagesOf(items, system);
  const effort = req.reasoning?.effort ?? null;
  return {
    model: req.model,
    system: joinSystem(system),
    messages,
    tools: toolsOf(toolSpecs, dropped),
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

/**
 * Function tools as they are; namespaced ones flattened (`ns__name`); freeform (`custom`) tools as
 * functions of `{input}`; the origin kept so calls go back to the client in kind. Built-in tools
 * (web_search…) have no equivalent elsewhere and are dropped.
 */
function toolsOf(tools: readonly unknown[], dropped: Dropped): IrTool[] {
  const out: IrTool[] = [];
  const add = (t: unknown, namespace: string | null): boolean => {
    const f = FunctionTool.safeParse(t);
    if (f.success) {
      out.push({
        name: flatName(namespace, f.data.name),
        description: f.data.description ?? null,
        parameters: f.data.parameters ?? { type: 'object', properties: {} },
        ...(namespace ? { origin: { namespace, name: f.data.name, freeform: false } } : {}),
      });
      return true;
    }
    const c = CustomTool.safeParse(t);
    if (!c.success) return false;
    out.push({
      name: flatName(namespace, c.data.name),
      description: c.data.description ?? null,
      parameters: FREEFORM_PARAMETERS,
      origin: { namespace, name: c.data.name, freeform: true },
    });
    return true;
  };
  for (const t of tools) {
    const any = AnyTool.safeParse(t);
    if (!any.success) continue;
    if (any.data.type === 'namespace' && any.data.name) {
      for (const inner of any.data.tools ?? []) {
        if (!add(inner, any.data.name)) dropped.add(`tools[namespace=${any.data.name}]`);
      }
    } else if (!add(t, null)) dropped.add(`tools[type=${any.data.type}]`);
  }
  return out;
}

const CustomTool = z.looseObject({
  type: z.literal('custom'),
  name: z.string().min(1),
  description: z.string().nullish(),
});

const FREEFORM_PARAMETERS = {
  type: 'object',
  properties: { input: { type: 'string', description: 'The tool input, as free text.' } },
  required: ['input'],
};

function flatName(namespace: string | null | undefined, name: string): string {
  return namespace ? `${namespace}${NAMESPACE_SEPARATOR}${name}` : name;
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
      case 'function_call':
      case 'custom_tool_call': {
        const name = flatName(item.namespace, item.name);
        toolNames.set(item.call_id, name);
        const args = item.type === 'function_call' ? item.arguments : JSON.stringify({ input: item.input });
        const call = { id: item.call_id, name, arguments: args };
        const last = messages.at(-1);
        if (last?.role === 'assistant') last.toolCalls.push(call);
        else messages.push({ role: 'assistant', content: [], toolCalls: [call] });
        break;
      }
      case 'additional_tools':
        break;
      case 'function_call_output':
      case 'custom_tool_call_output':
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
