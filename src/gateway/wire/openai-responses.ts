import { newId } from '../formats/ids.js';
import type { IrEvent, IrMessage, IrRequest, IrStopReason, IrToolChoice } from '../formats/ir.js';
import { driveStream, parseJsonData, type StreamMachine, WIRE_ERRORS } from './drive.js';
import { arr, type Json, num, obj, str } from './json.js';
import type { SseMessage } from './sse.js';

/**
 * The body for the ChatGPT Codex backend (`/backend-api/codex/responses`): a stateless
 * (`store:false`), streamed Responses request. The backend refuses sampling and token-limit
 * parameters, so `maxTokens`, `temperature`, `topP` and `stop` go to `drop` instead.
 */
/** Stands in for instructions when a client sent no system prompt at all ("Instructions are required"). */
export const DEFAULT_CODEX_INSTRUCTIONS = 'You are a helpful assistant.';

export function buildCodexBody(ir: IrRequest, upstreamModel: string, drop: (field: string) => void): Json {
  if (ir.maxTokens !== null) drop('max_tokens');
  if (ir.temperature !== null) drop('temperature');
  if (ir.topP !== null) drop('top_p');
  if (ir.stop.length > 0) drop('stop');
  const body: Json = {
    model: upstreamModel,
    input: responsesInput(ir.messages),
    tools: ir.tools.map((t) => ({
      type: 'function',
      name: t.name,
      description: t.description ?? '',
      parameters: t.parameters,
      strict: false,
    })),
    tool_choice: responsesToolChoice(ir.toolChoice),
    parallel_tool_calls: ir.parallelToolCalls ?? false,
    store: false,
    stream: true,
    include: [],
  };
  // The backend wants instructions or a developer turn; a stand-in only when the client sent neither.
  if (ir.system !== null) body.instructions = ir.system;
  else if (!ir.messages.some((m) => m.role === 'system')) body.instructions = DEFAULT_CODEX_INSTRUCTIONS;
  if (ir.reasoning?.effort) body.reasoning = { effort: ir.reasoning.effort };
  if (ir.cache.key) body.prompt_cache_key = ir.cache.key;
  return body;
}

/** Neutral messages as Responses input items (no item ids: with `store:false` there is nothing to refer to). */
export function responsesInput(messages: readonly IrMessage[]): Json[] {
  const items: Json[] = [];
  for (const m of messages) {
    switch (m.role) {
      case 'system':
        items.push({ type: 'message', role: 'developer', content: [{ type: 'input_text', text: m.text }] });
        break;
      case 'user':
        items.push({
          type: 'message',
          role: 'user',
          content: m.content.map((p) =>
            p.type === 'text'
              ? { type: 'input_text', text: p.text }
              : { type: 'input_image', image_url: p.url, detail: 'auto' },
          ),
        });
        break;
      case 'assistant': {
        const text = m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
        if (text !== '') {
          items.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] });
        }
        for (const c of m.toolCalls) {
          items.push({ type: 'function_call', call_id: c.id, name: c.name, arguments: c.arguments });
        }
        break;
      }
      case 'tool':
        items.push({ type: 'function_call_output', call_id: m.toolCallId, output: m.content });
        break;
    }
  }
  return items;
}

export function responsesToolChoice(choice: IrToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', name: choice.name };
}

/** Parses a streamed Responses answer (`response.created` … `response.completed`) into events. */
export function parseResponsesStream(sse: AsyncIterable<SseMessage>): AsyncIterable<IrEvent> {
  return driveStream(sse, new ResponsesStreamMachine());
}

interface ItemState {
  /** Tool call ordinal, for function_call items. */
  tool: number | null;
  /** Whether deltas streamed its text or arguments (else `output_item.done` carries them whole). */
  streamed: boolean;
}

class ResponsesStreamMachine implements StreamMachine {
  #items = new Map<number, ItemState>();
  #tools = 0;

  feed(message: SseMessage): IrEvent[] {
    const parsed = parseJsonData(message);
    if (!parsed.ok) return [parsed.error];
    const data = parsed.value;
    const at = num(data.output_index) ?? 0;
    switch (str(data.type) ?? message.event) {
      case 'response.created': {
        const response = obj(data.response) ?? {};
        return [{ type: 'start', id: str(response.id) ?? newId('resp'), model: str(response.model) ?? '' }];
      }
      case 'response.output_item.added':
        return this.#itemAdded(at, obj(data.item) ?? {});
      case 'response.output_text.delta':
        return this.#delta(at, 'text', str(data.delta));
      case 'response.function_call_arguments.delta':
        return this.#delta(at, 'args', str(data.delta));
      case 'response.output_item.done':
        return this.#itemDone(at, obj(data.item) ?? {});
      case 'response.completed':
      case 'response.incomplete':
        return [this.#done(obj(data.response) ?? {})];
      case 'response.failed': {
        const error = obj(obj(data.response)?.error) ?? {};
        return [this.#error(error, 'response_failed')];
      }
      case 'error':
        return [this.#error(obj(data.error) ?? data, 'upstream_error')];
      default:
        return [];
    }
  }

  #itemAdded(at: number, item: Json): IrEvent[] {
    if (item.type !== 'function_call') {
      this.#items.set(at, { tool: null, streamed: false });
      return [];
    }
    const tool = this.#tools++;
    this.#items.set(at, { tool, streamed: false });
    return [
      {
        type: 'tool_call_start',
        index: tool,
        id: str(item.call_id) ?? newId('call'),
        name: str(item.name) ?? '',
      },
    ];
  }

  #delta(at: number, kind: 'text' | 'args', delta: string | undefined): IrEvent[] {
    const state = this.#items.get(at) ?? { tool: null, streamed: false };
    state.streamed = true;
    this.#items.set(at, state);
    if (!delta) return [];
    if (kind === 'text') return [{ type: 'text', delta }];
    return state.tool === null ? [] : [{ type: 'tool_call_args', index: state.tool, delta }];
  }

  /** Fills in what arrived whole rather than as deltas. */
  #itemDone(at: number, item: Json): IrEvent[] {
    let state = this.#items.get(at);
    const out: IrEvent[] = [];
    if (!state) {
      out.push(...this.#itemAdded(at, item));
      state = this.#items.get(at) as ItemState;
    }
    if (state.streamed) return out;
    state.streamed = true;
    if (item.type === 'function_call' && state.tool !== null) {
      const args = str(item.arguments);
      if (args) out.push({ type: 'tool_call_args', index: state.tool, delta: args });
    } else if (item.type === 'message') {
      const text = arr(item.content)
        .map((part) => str(obj(part)?.text) ?? '')
        .join('');
      if (text) out.push({ type: 'text', delta: text });
    }
    return out;
  }

  #done(response: Json): IrEvent {
    const usage = obj(response.usage) ?? {};
    const reason = str(obj(response.incomplete_details)?.reason);
    let stopReason: IrStopReason = this.#tools > 0 ? 'tool_calls' : 'stop';
    if (response.status === 'incomplete' || reason !== undefined) {
      stopReason = reason === 'content_filter' ? 'content_filter' : 'length';
    }
    return {
      type: 'done',
      stopReason,
      usage: { inputTokens: num(usage.input_tokens) ?? 0, outputTokens: num(usage.output_tokens) ?? 0 },
    };
  }

  #error(error: Json, fallbackCode: string): IrEvent {
    return {
      type: 'error',
      code: str(error.code) ?? str(error.type) ?? fallbackCode,
      message: str(error.message) ?? 'the upstream response failed',
    };
  }

  finish(): IrEvent {
    return {
      type: 'error',
      code: WIRE_ERRORS.incomplete,
      message: 'the responses stream ended before response.completed',
    };
  }
}

/**
 * Collects a streamed Responses answer into the whole response object (`response.completed`'s), for a
 * non-streaming client of an upstream that only streams. An early end or failure is an error.
 */
export async function collectResponseObject(
  sse: AsyncIterable<SseMessage>,
): Promise<{ ok: true; response: Json } | { ok: false; message: string }> {
  try {
    for await (const message of sse) {
      const parsed = parseJsonData(message);
      if (!parsed.ok) return { ok: false, message: 'upstream sent malformed stream data' };
      const data = parsed.value;
      const type = str(data.type) ?? message.event;
      if (type === 'response.completed' || type === 'response.incomplete') {
        return { ok: true, response: obj(data.response) ?? {} };
      }
      if (type === 'response.failed' || type === 'error') {
        const error = obj(obj(data.response)?.error) ?? obj(data.error) ?? {};
        return { ok: false, message: str(error.message) ?? 'the upstream response failed' };
      }
    }
  } catch (err) {
    return { ok: false, message: `upstream stream failed: ${(err as Error).message}` };
  }
  return { ok: false, message: 'the responses stream ended before response.completed' };
}
