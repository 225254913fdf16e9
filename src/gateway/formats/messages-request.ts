import { z } from 'zod';
import { IMAGE_OMITTED, joinSystem } from './content.js';
import type { IrMessage, IrPart, IrRequest, IrToolCall, IrToolChoice } from './ir.js';
import { parseBody } from './validate.js';

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
// Thinking blocks of earlier turns are signed for one provider and model: they are not forwarded.
const ThinkingBlock = z.looseObject({ type: z.enum(['thinking', 'redacted_thinking']) });
const Block = z.discriminatedUnion('type', [
  TextBlock,
  ImageBlock,
  ToolUseBlock,
  ToolResultBlock,
  ThinkingBlock,
]);

const Message = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(Block)]),
});

const Tool = z.looseObject({
  type: z.literal('custom').optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()),
});

const ToolChoice = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto') }),
  z.looseObject({ type: z.literal('any') }),
  z.looseObject({ type: z.literal('none') }),
  z.looseObject({ type: z.literal('tool'), name: z.string() }),
]);

const MessagesRequest = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  system: z.union([z.string(), z.array(TextBlock)]).optional(),
  messages: z.array(Message).min(1),
  tools: z.array(Tool).optional(),
  tool_choice: ToolChoice.optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
});

type Block = z.infer<typeof Block>;

/** Parses an Anthropic Messages request body; throws `ClawkeepError('usage')` naming the bad field. */
export function parseMessagesRequest(body: unknown): IrRequest {
  const req = parseBody(MessagesRequest, body);
  const toolNames = new Map<string, string>();
  const messages: IrMessage[] = [];
  for (const m of req.messages) {
    const blocks: Block[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    if (m.role === 'assistant') messages.push(assistantOf(blocks, toolNames));
    else messages.push(...userOf(blocks, toolNames));
  }
  return {
    model: req.model,
    system:
      typeof req.system === 'string'
        ? joinSystem([req.system])
        : joinSystem((req.system ?? []).map((b) => b.text)),
    messages,
    tools: (req.tools ?? []).map((t) => ({
      name: t.name,
      description: t.description ?? null,
      parameters: t.input_schema,
    })),
    toolChoice: toolChoiceOf(req.tool_choice),
    maxTokens: req.max_tokens,
    temperature: req.temperature ?? null,
    topP: req.top_p ?? null,
    stop: req.stop_sequences ?? [],
    stream: req.stream === true,
  };
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
