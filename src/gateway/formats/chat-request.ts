import { z } from 'zod';
import { joinSystem } from './content.js';
import type { IrMessage, IrPart, IrRequest, IrTool, IrToolChoice } from './ir.js';
import { Dropped, isEffort, unmappedFields } from './request-extras.js';
import { parseBody } from './validate.js';

const TextPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const ImagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.union([z.looseObject({ url: z.string() }), z.string()]),
});
const RefusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const TextContent = z.union([z.string(), z.array(TextPart)]);

const ToolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const Message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: TextContent }),
  z.looseObject({ role: z.literal('developer'), content: TextContent }),
  z.looseObject({
    role: z.literal('user'),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [TextPart, ImagePart]))]),
  }),
  z.looseObject({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [TextPart, RefusalPart]))]).nullish(),
    tool_calls: z.array(ToolCall).nullish(),
  }),
  z.looseObject({ role: z.literal('tool'), tool_call_id: z.string(), content: TextContent }),
]);

const FunctionTool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
  }),
});
// Other tool types (`custom`…) are valid requests; they have no neutral equivalent and are reported dropped.
const Tool = z.union([FunctionTool, z.looseObject({ type: z.string() })]);

const ToolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
]);

const ChatRequest = z.looseObject({
  model: z.string().min(1),
  messages: z.array(Message).min(1),
  tools: z.array(Tool).nullish(),
  tool_choice: ToolChoice.nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  reasoning_effort: z.string().nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  prompt_cache_key: z.string().nullish(),
});

const MAPPED: ReadonlySet<string> = new Set([
  'messages',
  'tools',
  'tool_choice',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'reasoning_effort',
  'parallel_tool_calls',
  'prompt_cache_key',
]);

type ChatMessage = z.infer<typeof Message>;

/** A parsed chat request: the neutral request plus the one streaming option only chat clients have. */
export type ChatIrRequest = IrRequest & {
  /** `stream_options.include_usage`: end the stream with a usage chunk. */
  includeUsage: boolean;
};

/** Parses an OpenAI Chat Completions request body; throws `ClawkeepError('usage')` naming the bad field. */
export function parseChatRequest(body: unknown): ChatIrRequest {
  const req = parseBody(ChatRequest, body);
  const dropped = new Dropped();
  for (const f of unmappedFields(body, MAPPED)) dropped.add(f);
  const system: string[] = [];
  const messages: IrMessage[] = [];
  const toolNames = new Map<string, string>();
  for (const m of req.messages) {
    if (m.role !== 'system' && m.role !== 'developer') messages.push(messageOf(m, toolNames));
    // Only the system turns before the conversation starts make the system prompt.
    else if (messages.length === 0) system.push(textOf(m.content));
    else messages.push({ role: 'system', text: textOf(m.content) });
  }
  const tools: IrTool[] = [];
  for (const t of req.tools ?? []) {
    if ('function' in t && t.type === 'function') {
      const f = (t as z.infer<typeof FunctionTool>).function;
      tools.push({
        name: f.name,
        description: f.description ?? null,
        parameters: f.parameters ?? { type: 'object', properties: {} },
      });
    } else dropped.add(`tools[type=${t.type}]`);
  }
  const effort = req.reasoning_effort ?? null;
  if (effort !== null && !isEffort(effort) && effort !== 'none') dropped.add('reasoning_effort');
  return {
    model: req.model,
    system: joinSystem(system),
    messages,
    tools,
    reasoning: isEffort(effort) ? { effort, budgetTokens: null } : null,
    parallelToolCalls: req.parallel_tool_calls ?? null,
    cache: { key: req.prompt_cache_key ?? null, requested: req.prompt_cache_key != null },
    dropped: dropped.list(),
    toolChoice: toolChoiceOf(req.tool_choice),
    maxTokens: req.max_completion_tokens ?? req.max_tokens ?? null,
    temperature: req.temperature ?? null,
    topP: req.top_p ?? null,
    stop: typeof req.stop === 'string' ? [req.stop] : (req.stop ?? []),
    stream: req.stream === true,
    includeUsage: req.stream_options?.include_usage === true,
  };
}

function messageOf(
  m: Exclude<ChatMessage, { role: 'system' | 'developer' }>,
  toolNames: Map<string, string>,
): IrMessage {
  switch (m.role) {
    case 'user':
      return {
        role: 'user',
        content:
          typeof m.content === 'string'
            ? [{ type: 'text', text: m.content }]
            : m.content.map(
                (p): IrPart =>
                  p.type === 'text'
                    ? { type: 'text', text: p.text }
                    : { type: 'image', url: typeof p.image_url === 'string' ? p.image_url : p.image_url.url },
              ),
      };
    case 'assistant': {
      const text =
        typeof m.content === 'string'
          ? m.content
          : (m.content ?? []).map((p) => (p.type === 'text' ? p.text : p.refusal)).join('');
      const toolCalls = (m.tool_calls ?? []).map((c) => ({
        id: c.id,
        name: c.function.name,
        arguments: c.function.arguments,
      }));
      for (const c of toolCalls) toolNames.set(c.id, c.name);
      return { role: 'assistant', content: text === '' ? [] : [{ type: 'text', text }], toolCalls };
    }
    case 'tool':
      return {
        role: 'tool',
        toolCallId: m.tool_call_id,
        name: toolNames.get(m.tool_call_id) ?? null,
        content: textOf(m.content),
        isError: false,
      };
  }
}

function textOf(content: string | { text: string }[]): string {
  return typeof content === 'string' ? content : content.map((p) => p.text).join('');
}

function toolChoiceOf(choice: z.infer<typeof ToolChoice> | null | undefined): IrToolChoice {
  if (choice == null) return 'auto';
  return typeof choice === 'string' ? choice : { name: choice.function.name };
}
