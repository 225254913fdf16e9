import { newId } from '../formats/ids.js';
import type { IrEvent, IrMessage, IrRequest, IrStopReason, IrToolChoice } from '../formats/ir.js';
import { driveStream, parseJsonData, type StreamMachine, WIRE_ERRORS } from './drive.js';
import { arr, type Json, num, obj, str } from './json.js';
import type { SseMessage } from './sse.js';

export interface ChatBodyOptions {
  /**
   * The field carrying the token limit: OpenAI's current `max_completion_tokens` (the default; its
   * reasoning models refuse `max_tokens`), or `max_tokens` for servers that only know the old name.
   */
  maxTokensField?: 'max_completion_tokens' | 'max_tokens';
}

/** The streaming Chat Completions body for `ir`, asking for the usage chunk. */
export function buildChatBody(ir: IrRequest, upstreamModel: string, opts: ChatBodyOptions = {}): Json {
  const messages: Json[] = ir.system === null ? [] : [{ role: 'system', content: ir.system }];
  for (const m of ir.messages) messages.push(chatMessage(m));
  const body: Json = {
    model: upstreamModel,
    messages,
    stream: true,
    stream_options: { include_usage: true },
  };
  if (ir.tools.length > 0) {
    body.tools = ir.tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description === null ? {} : { description: t.description }),
        parameters: t.parameters,
      },
    }));
    body.tool_choice = chatToolChoice(ir.toolChoice);
  }
  if (ir.maxTokens !== null) body[opts.maxTokensField ?? 'max_completion_tokens'] = ir.maxTokens;
  if (ir.temperature !== null) body.temperature = ir.temperature;
  if (ir.topP !== null) body.top_p = ir.topP;
  if (ir.stop.length > 0) body.stop = ir.stop;
  if (ir.reasoning?.effort) body.reasoning_effort = ir.reasoning.effort;
  if (ir.parallelToolCalls !== null && ir.tools.length > 0) body.parallel_tool_calls = ir.parallelToolCalls;
  if (ir.cache.key) body.prompt_cache_key = ir.cache.key;
  return body;
}

function chatMessage(m: IrMessage): Json {
  switch (m.role) {
    case 'system':
      return { role: 'system', content: m.text };
    case 'user': {
      const only = m.content.length === 1 ? m.content[0] : undefined;
      if (only?.type === 'text') return { role: 'user', content: only.text };
      return {
        role: 'user',
        content: m.content.map((p) =>
          p.type === 'text'
            ? { type: 'text', text: p.text }
            : { type: 'image_url', image_url: { url: p.url } },
        ),
      };
    }
    case 'assistant': {
      const text = m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
      const out: Json = { role: 'assistant', content: text === '' && m.toolCalls.length > 0 ? null : text };
      if (m.toolCalls.length > 0) {
        out.tool_calls = m.toolCalls.map((c) => ({
          id: c.id,
          type: 'function',
          function: { name: c.name, arguments: c.arguments },
        }));
      }
      return out;
    }
    case 'tool':
      return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
  }
}

function chatToolChoice(choice: IrToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

const STOP_REASONS: Readonly<Record<string, IrStopReason>> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
};

/** Parses a streamed Chat Completions answer (chunks, optional usage chunk, `[DONE]`) into events. */
export function parseChatStream(sse: AsyncIterable<SseMessage>): AsyncIterable<IrEvent> {
  return driveStream(sse, new ChatStreamMachine());
}

class ChatStreamMachine implements StreamMachine {
  #started = false;
  #finish: string | null = null;
  #usage = { inputTokens: 0, outputTokens: 0 };
  /** Upstream `tool_calls[].index` → our 0-based tool call ordinal. */
  #tools = new Map<number, number>();

  feed(message: SseMessage): IrEvent[] {
    if (message.data === '[DONE]') return [this.finish()];
    const parsed = parseJsonData(message);
    if (!parsed.ok) return [parsed.error];
    const chunk = parsed.value;
    const error = obj(chunk.error);
    if (error) {
      const code = str(error.code) ?? str(error.type) ?? 'upstream_error';
      return [{ type: 'error', code, message: str(error.message) ?? 'upstream error' }];
    }
    const out: IrEvent[] = [];
    if (!this.#started) {
      this.#started = true;
      out.push({ type: 'start', id: str(chunk.id) ?? newId('chatcmpl', '-'), model: str(chunk.model) ?? '' });
    }
    const usage = obj(chunk.usage);
    if (usage) {
      this.#usage = {
        inputTokens: num(usage.prompt_tokens) ?? 0,
        outputTokens: num(usage.completion_tokens) ?? 0,
      };
    }
    const choice = obj(arr(chunk.choices)[0]);
    if (!choice) return out;
    const delta = obj(choice.delta) ?? {};
    const content = str(delta.content);
    if (content) out.push({ type: 'text', delta: content });
    for (const raw of arr(delta.tool_calls)) this.#toolDelta(obj(raw) ?? {}, out);
    const finish = str(choice.finish_reason);
    if (finish) this.#finish = finish;
    return out;
  }

  #toolDelta(call: Json, out: IrEvent[]): void {
    const upstreamIndex = num(call.index) ?? 0;
    const fn = obj(call.function) ?? {};
    let index = this.#tools.get(upstreamIndex);
    if (index === undefined) {
      index = this.#tools.size;
      this.#tools.set(upstreamIndex, index);
      out.push({
        type: 'tool_call_start',
        index,
        id: str(call.id) ?? newId('call'),
        name: str(fn.name) ?? '',
      });
    }
    const args = str(fn.arguments);
    if (args) out.push({ type: 'tool_call_args', index, delta: args });
  }

  finish(): IrEvent {
    if (this.#finish === null) {
      return {
        type: 'error',
        code: WIRE_ERRORS.incomplete,
        message: 'the chat completions stream ended without a finish_reason',
      };
    }
    let stopReason = STOP_REASONS[this.#finish] ?? 'stop';
    // Some compatible servers report `stop` for an answer that is tool calls.
    if (stopReason === 'stop' && this.#tools.size > 0) stopReason = 'tool_calls';
    return { type: 'done', stopReason, usage: this.#usage };
  }
}
