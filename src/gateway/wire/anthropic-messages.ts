import { parseToolArguments, splitDataUrl } from '../formats/content.js';
import { newId } from '../formats/ids.js';
import type { IrEvent, IrMessage, IrPart, IrRequest, IrStopReason, IrToolChoice } from '../formats/ir.js';
import { driveStream, parseJsonData, type StreamMachine, WIRE_ERRORS } from './drive.js';
import { type Json, num, obj, str } from './json.js';
import type { SseMessage } from './sse.js';

/** The system text Claude subscription (OAuth) tokens are only served with, as the first system block. */
export const CLAUDE_CODE_IDENTITY = "You are Claude Code, Anthropic's official CLI for Claude.";

const DEFAULT_MAX_TOKENS = 4096;

/**
 * The streaming Messages body for `ir`. With `oauth`, the system prompt starts with the Claude Code
 * identity block, then the client's system (once: a client that already sent the identity keeps one).
 */
export function buildMessagesBody(ir: IrRequest, upstreamModel: string, opts: { oauth: boolean }): Json {
  const body: Json = {
    model: upstreamModel,
    max_tokens: ir.maxTokens ?? DEFAULT_MAX_TOKENS,
    messages: anthropicMessages(ir.messages),
    stream: true,
  };
  const system = systemOf(ir.system, opts.oauth);
  if (system !== null) body.system = system;
  if (ir.tools.length > 0) {
    body.tools = ir.tools.map((t) => ({
      name: t.name,
      ...(t.description === null ? {} : { description: t.description }),
      input_schema: t.parameters,
    }));
    body.tool_choice = anthropicToolChoice(ir.toolChoice);
  }
  // Current Claude models refuse temperature and top_p together; temperature is the common knob.
  if (ir.temperature !== null) body.temperature = ir.temperature;
  else if (ir.topP !== null) body.top_p = ir.topP;
  if (ir.stop.length > 0) body.stop_sequences = ir.stop;
  return body;
}

function systemOf(system: string | null, oauth: boolean): unknown {
  if (!oauth) return system;
  const rest = system?.startsWith(CLAUDE_CODE_IDENTITY)
    ? system.slice(CLAUDE_CODE_IDENTITY.length).trimStart()
    : system;
  const blocks = [{ type: 'text', text: CLAUDE_CODE_IDENTITY }];
  if (rest) blocks.push({ type: 'text', text: rest });
  return blocks;
}

/** Neutral messages as Anthropic turns: tool results ride in user turns, and same-role turns merge. */
function anthropicMessages(messages: readonly IrMessage[]): Json[] {
  const turns: { role: 'user' | 'assistant'; content: Json[] }[] = [];
  for (const m of messages) {
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const blocks = blocksOf(m);
    if (blocks.length === 0) continue;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  }
  for (const t of turns) {
    // Anthropic wants a user turn's tool results before anything else in it.
    if (t.role === 'user') t.content.sort((a, b) => rank(a) - rank(b));
  }
  return turns;
}

function rank(block: Json): number {
  return block.type === 'tool_result' ? 0 : 1;
}

function blocksOf(m: IrMessage): Json[] {
  switch (m.role) {
    case 'user':
      return m.content.flatMap(partBlock);
    case 'assistant':
      return [
        ...m.content.flatMap(partBlock),
        ...m.toolCalls.map((c) => ({
          type: 'tool_use',
          id: toolUseId(c.id),
          name: c.name,
          input: parseToolArguments(c.arguments),
        })),
      ];
    case 'tool':
      return [
        {
          type: 'tool_result',
          tool_use_id: toolUseId(m.toolCallId),
          ...(m.content === '' ? {} : { content: m.content }),
          ...(m.isError ? { is_error: true } : {}),
        },
      ];
  }
}

function partBlock(p: IrPart): Json[] {
  if (p.type === 'text') return p.text === '' ? [] : [{ type: 'text', text: p.text }];
  const inline = splitDataUrl(p.url);
  const source = inline
    ? { type: 'base64', media_type: inline.mediaType, data: inline.data }
    : { type: 'url', url: p.url };
  return [{ type: 'image', source }];
}

/** Anthropic accepts tool ids of `[a-zA-Z0-9_-]` only; other providers' ids are mapped the same way both times. */
function toolUseId(id: string): string {
  return id.replace(/[^a-zA-Z0-9_-]/g, '_');
}

function anthropicToolChoice(choice: IrToolChoice): Json {
  if (typeof choice === 'object') return { type: 'tool', name: choice.name };
  return { type: choice === 'required' ? 'any' : choice };
}

const STOP_REASONS: Readonly<Record<string, IrStopReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** Parses a streamed Messages answer (message_start … message_stop, or `error`) into events. */
export function parseMessagesStream(sse: AsyncIterable<SseMessage>): AsyncIterable<IrEvent> {
  return driveStream(sse, new MessagesStreamMachine());
}

class MessagesStreamMachine implements StreamMachine {
  #usage = { inputTokens: 0, outputTokens: 0 };
  #stopReason: string | null = null;
  /** Content block index → tool call ordinal, for tool_use blocks. */
  #tools = new Map<number, number>();

  feed(message: SseMessage): IrEvent[] {
    const parsed = parseJsonData(message);
    if (!parsed.ok) return [parsed.error];
    const data = parsed.value;
    switch (message.event ?? str(data.type)) {
      case 'message_start': {
        const msg = obj(data.message) ?? {};
        this.#readUsage(obj(msg.usage));
        return [{ type: 'start', id: str(msg.id) ?? newId('msg'), model: str(msg.model) ?? '' }];
      }
      case 'content_block_start':
        return this.#blockStart(num(data.index) ?? 0, obj(data.content_block) ?? {});
      case 'content_block_delta':
        return this.#blockDelta(num(data.index) ?? 0, obj(data.delta) ?? {});
      case 'message_delta':
        this.#stopReason = str(obj(data.delta)?.stop_reason) ?? this.#stopReason;
        this.#readUsage(obj(data.usage));
        return [];
      case 'message_stop':
        return [this.#done(this.#stopReason ?? 'end_turn')];
      case 'error': {
        const error = obj(data.error) ?? {};
        return [
          {
            type: 'error',
            code: str(error.type) ?? 'api_error',
            message: str(error.message) ?? 'upstream error',
          },
        ];
      }
      default:
        return [];
    }
  }

  #blockStart(index: number, block: Json): IrEvent[] {
    if (block.type === 'text') {
      const text = str(block.text);
      return text ? [{ type: 'text', delta: text }] : [];
    }
    if (block.type !== 'tool_use') return [];
    const ordinal = this.#tools.size;
    this.#tools.set(index, ordinal);
    return [
      {
        type: 'tool_call_start',
        index: ordinal,
        id: str(block.id) ?? newId('toolu'),
        name: str(block.name) ?? '',
      },
    ];
  }

  #blockDelta(index: number, delta: Json): IrEvent[] {
    if (delta.type === 'text_delta') {
      const text = str(delta.text);
      return text ? [{ type: 'text', delta: text }] : [];
    }
    const ordinal = this.#tools.get(index);
    if (delta.type !== 'input_json_delta' || ordinal === undefined) return [];
    const json = str(delta.partial_json);
    return json ? [{ type: 'tool_call_args', index: ordinal, delta: json }] : [];
  }

  /** Input counts every prompt token, cached or not, as the other APIs do. */
  #readUsage(usage: Json | undefined): void {
    if (!usage) return;
    const input = num(usage.input_tokens);
    if (input !== undefined) {
      this.#usage.inputTokens =
        input + (num(usage.cache_creation_input_tokens) ?? 0) + (num(usage.cache_read_input_tokens) ?? 0);
    }
    this.#usage.outputTokens = num(usage.output_tokens) ?? this.#usage.outputTokens;
  }

  /** A stream cut right after its message_delta still carries a whole answer. */
  finish(): IrEvent {
    if (this.#stopReason !== null) return this.#done(this.#stopReason);
    return {
      type: 'error',
      code: WIRE_ERRORS.incomplete,
      message: 'the messages stream ended before message_stop',
    };
  }

  #done(stopReason: string): IrEvent {
    return { type: 'done', stopReason: STOP_REASONS[stopReason] ?? 'stop', usage: { ...this.#usage } };
  }
}
