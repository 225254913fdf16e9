import { parseToolArguments, splitDataUrl } from '../formats/content.js';
import { newId } from '../formats/ids.js';
import type { IrEvent, IrMessage, IrPart, IrRequest, IrStopReason, IrToolChoice } from '../formats/ir.js';
import { EFFORT_BUDGET } from '../formats/request-extras.js';
import { driveStream, parseJsonData, type StreamMachine, WIRE_ERRORS } from './drive.js';
import { type Json, num, obj, str } from './json.js';
import type { SseMessage } from './sse.js';

const DEFAULT_MAX_TOKENS = 4096;
/** Room for the answer itself on top of a thinking budget (Anthropic wants budget < max_tokens). */
const ANSWER_TOKENS = 4096;
const MIN_THINKING_BUDGET = 1024;

/**
 * The streaming Messages body for `ir`. Nothing is added that the client did not ask for: no other
 * client's identity, no betas (the credential's own beta is a header). Fields with no Messages
 * equivalent are passed to `drop`.
 */
export function buildMessagesBody(ir: IrRequest, upstreamModel: string, drop: (field: string) => void): Json {
  const budget = thinkingBudget(ir);
  const maxTokens = ir.maxTokens ?? (budget ? budget + ANSWER_TOKENS : DEFAULT_MAX_TOKENS);
  const body: Json = {
    model: upstreamModel,
    max_tokens: budget && maxTokens <= budget ? budget + ANSWER_TOKENS : maxTokens,
    messages: anthropicMessages(ir.messages),
    stream: true,
  };
  // System turns inside the conversation join the system prompt: plain Messages has no other place.
  const inner = ir.messages.flatMap((m) => (m.role === 'system' ? [m.text] : []));
  const system = [ir.system, ...inner].filter((t): t is string => !!t).join('\n\n');
  if (system) {
    body.system = ir.cache.requested
      ? [{ type: 'text', text: system, cache_control: { type: 'ephemeral' } }]
      : system;
  }
  if (ir.tools.length > 0) {
    const tools: Json[] = ir.tools.map((t) => ({
      name: t.name,
      ...(t.description === null ? {} : { description: t.description }),
      input_schema: t.parameters,
    }));
    if (ir.cache.requested)
      tools[tools.length - 1] = { ...tools.at(-1), cache_control: { type: 'ephemeral' } };
    body.tools = tools;
    body.tool_choice = anthropicToolChoice(ir.toolChoice, ir.parallelToolCalls);
  }
  if (budget) {
    body.thinking = { type: 'enabled', budget_tokens: budget };
    // Extended thinking refuses sampling knobs.
    if (ir.temperature !== null) drop('temperature');
    if (ir.topP !== null) drop('top_p');
  } else if (ir.temperature !== null) body.temperature = ir.temperature;
  // Current Claude models refuse temperature and top_p together; temperature is the common knob.
  else if (ir.topP !== null) body.top_p = ir.topP;
  if (ir.reasoning && !budget) drop('reasoning');
  if (ir.stop.length > 0) body.stop_sequences = ir.stop;
  if (ir.cache.key) body.metadata = { user_id: ir.cache.key };
  return body;
}

/** The thinking budget for the request's reasoning: its own budget, else the effort's, clamped. */
function thinkingBudget(ir: IrRequest): number | null {
  if (!ir.reasoning) return null;
  if (ir.reasoning.effort === 'minimal' && ir.reasoning.budgetTokens === null) return null;
  const wanted = ir.reasoning.budgetTokens ?? EFFORT_BUDGET[ir.reasoning.effort ?? 'medium'];
  if (ir.maxTokens !== null && ir.maxTokens - 1 < MIN_THINKING_BUDGET) return null;
  const cap = ir.maxTokens !== null ? ir.maxTokens - 1 : wanted;
  return Math.max(MIN_THINKING_BUDGET, Math.min(wanted, cap));
}

/** Neutral messages as Anthropic turns: tool results ride in user turns, and same-role turns merge. */
function anthropicMessages(messages: readonly IrMessage[]): Json[] {
  const turns: { role: 'user' | 'assistant'; content: Json[] }[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
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

function blocksOf(m: Exclude<IrMessage, { role: 'system' }>): Json[] {
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

function anthropicToolChoice(choice: IrToolChoice, parallel: boolean | null): Json {
  const base: Json =
    typeof choice === 'object'
      ? { type: 'tool', name: choice.name }
      : { type: choice === 'required' ? 'any' : choice };
  return parallel === false && base.type !== 'none' ? { ...base, disable_parallel_tool_use: true } : base;
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
