import { z } from 'zod';
import { IMAGE_OMITTED, joinSystem } from './content.js';
import type { IrMessage, IrPart, IrReasoning, IrRequest, IrTool, IrToolCall, IrToolChoice } from './ir.js';
import { Dropped, effortForBudget, isEffort, markOther, OTHER, unmappedFields } from './request-extras.js';
import { parseBody } from './validate.js';

const KNOWN_BLOCK_TYPES: ReadonlySet<string> = new Set(['text', 'image', 'tool_use', 'tool_result']);

const TextBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
const ImageBlock = z.looseObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
    z.looseObject({ type: z.literal('url'), url: z.string() }),
  ]),
});
const ToolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});
const ToolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [TextBlock, ImageBlock]))]).optional(),
  is_error: z.boolean().optional(),
});
// Other blocks (thinking, signed for one provider and model; server tool results; documents…) are valid
// but have no neutral equivalent: they are reported dropped.
const OtherBlock = z.object({ type: z.literal(OTHER), original: z.string() });
const KnownBlock = z.discriminatedUnion('type', [TextBlock, ImageBlock, ToolUseBlock, ToolResultBlock]);
const Block = z.preprocess(
  (v) => markOther(v, KNOWN_BLOCK_TYPES),
  z.discriminatedUnion('type', [TextBlock, ImageBlock, ToolUseBlock, ToolResultBlock, OtherBlock]),
);

const Message = z.looseObject({
  // `system` turns inside the conversation come with Anthropic's mid-conversation-system beta.
  role: z.enum(['user', 'assistant', 'system']),
  content: z.union([z.string(), z.array(Block)]),
});

const FunctionTool = z.looseObject({
  type: z.literal('custom').optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()),
});
// Server tools (`web_search_20250305`, `bash_…`) are typed and carry no input_schema.
const Tool = z.union([FunctionTool, z.looseObject({ type: z.string(), name: z.string().optional() })]);

const ToolChoice = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('none') }),
  z.looseObject({
    type: z.literal('tool'),
    name: z.string(),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
]);

const Thinking = z.looseObject({ type: z.string(), budget_tokens: z.number().int().optional() });

const MAPPED: ReadonlySet<string> = new Set([
  'max_tokens',
  'system',
  'messages',
  'tools',
  'tool_choice',
  'temperature',
  'top_p',
  'stop_sequences',
  'thinking',
  'metadata',
]);

const MessagesRequest = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  system: z.union([z.string(), z.array(Block)]).optional(),
  messages: z.array(Message).min(1),
  tools: z.array(Tool).optional(),
  tool_choice: ToolChoice.optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  thinking: Thinking.optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  output_config: z.looseObject({ effort: z.string().optional() }).optional(),
});

type Block = z.infer<typeof KnownBlock>;
type AnyBlock = z.infer<typeof Block>;

/** Parses an Anthropic Messages request body; throws `ClawkeepError('usage')` naming the bad field. */
export function parseMessagesRequest(body: unknown): IrRequest {
  const req = parseBody(MessagesRequest, body);
  const dropped = new Dropped();
  for (const f of unmappedFields(body, MAPPED)) {
    if (f !== 'output_config' || req.output_config?.effort === undefined) dropped.add(f);
  }
  const toolNames = new Map<string, string>();
  const messages: IrMessage[] = [];
  const known = (blocks: readonly AnyBlock[]): Block[] => blocks.filter((b) => isKnown(b, dropped));
  for (const m of req.messages) {
    const blocks = typeof m.content === 'string' ? [{ type: 'text' as const, text: m.content }] : m.content;
    if (m.role === 'system') messages.push({ role: 'system', text: textOfBlocks(known(blocks)) });
    else if (m.role === 'assistant') messages.push(assistantOf(known(blocks), toolNames));
    else messages.push(...userOf(known(blocks), toolNames));
  }
  const tools: IrTool[] = [];
  for (const t of req.tools ?? []) {
    if ('input_schema' in t && (t.type === undefined || t.type === 'custom')) {
      const f = t as z.infer<typeof FunctionTool>;
      tools.push({ name: f.name, description: f.description ?? null, parameters: f.input_schema });
    } else dropped.add(`tools[type=${t.type}]`);
  }
  const system =
    typeof req.system === 'string' ? joinSystem([req.system]) : joinSystem(textsOf(known(req.system ?? [])));
  const choice = req.tool_choice;
  return {
    model: req.model,
    system,
    messages,
    tools,
    toolChoice: toolChoiceOf(choice),
    maxTokens: req.max_tokens,
    temperature: req.temperature ?? null,
    topP: req.top_p ?? null,
    stop: req.stop_sequences ?? [],
    stream: req.stream === true,
    reasoning: reasoningOf(req.thinking, req.output_config?.effort),
    parallelToolCalls:
      choice && 'disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use !== undefined
        ? !choice.disable_parallel_tool_use
        : null,
    cache: {
      key: req.metadata?.user_id ?? null,
      requested: JSON.stringify(body).includes('"cache_control"'),
    },
    dropped: dropped.list(),
  };
}

function isKnown(b: AnyBlock, dropped: Dropped): b is Block {
  if (b.type !== OTHER) return true;
  dropped.add(`content[type=${b.original}]`);
  return false;
}

function textsOf(blocks: readonly Block[]): string[] {
  return blocks.map((b) => (b.type === 'text' ? b.text : ''));
}

function textOfBlocks(blocks: readonly Block[]): string {
  return textsOf(blocks).join('');
}

/** `thinking` (a budget) and `output_config.effort` both say how hard to think. */
function reasoningOf(
  thinking: z.infer<typeof Thinking> | undefined,
  effort: string | undefined,
): IrReasoning | null {
  if (thinking?.type === 'enabled' && thinking.budget_tokens !== undefined) {
    return {
      effort: isEffort(effort) ? effort : effortForBudget(thinking.budget_tokens),
      budgetTokens: thinking.budget_tokens,
    };
  }
  if (isEffort(effort)) return { effort, budgetTokens: null };
  if (thinking?.type === 'adaptive') return { effort: 'medium', budgetTokens: null };
  return null;
}

function assistantOf(blocks: readonly Block[], toolNames: Map<string, string>): IrMessage {
  const content: IrPart[] = [];
  const toolCalls: IrToolCall[] = [];
  for (const b of blocks) {
    if (b.type === 'text' && b.text !== '') content.push({ type: 'text', text: b.text });
    if (b.type === 'tool_use') {
      toolNames.set(b.id, b.name);
      toolCalls.push({ id: b.id, name: b.name, arguments: JSON.stringify(b.input ?? {}) });
    }
  }
  return { role: 'assistant', content, toolCalls };
}

/** A user turn: each tool result becomes a tool message; the other blocks, user messages between them. */
function userOf(blocks: readonly Block[], toolNames: Map<string, string>): IrMessage[] {
  const out: IrMessage[] = [];
  let parts: IrPart[] = [];
  const flush = () => {
    if (parts.length > 0) out.push({ role: 'user', content: parts });
    parts = [];
  };
  for (const b of blocks) {
    if (b.type === 'tool_result') {
      flush();
      out.push({
        role: 'tool',
        toolCallId: b.tool_use_id,
        name: toolNames.get(b.tool_use_id) ?? null,
        content: typeof b.content === 'string' ? b.content : (b.content ?? []).map(blockText).join(''),
        isError: b.is_error === true,
      });
    } else if (b.type === 'text' || b.type === 'image') {
      parts.push(partOf(b));
    }
  }
  flush();
  return out;
}

function partOf(b: Extract<Block, { type: 'text' | 'image' }>): IrPart {
  if (b.type === 'text') return { type: 'text', text: b.text };
  const s = b.source;
  return { type: 'image', url: s.type === 'url' ? s.url : `data:${s.media_type};base64,${s.data}` };
}

function blockText(b: Extract<Block, { type: 'text' | 'image' }>): string {
  return b.type === 'text' ? b.text : IMAGE_OMITTED;
}

function toolChoiceOf(choice: z.infer<typeof ToolChoice> | undefined): IrToolChoice {
  switch (choice?.type) {
    case undefined:
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { name: choice.name };
  }
}
