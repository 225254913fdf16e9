import { idFor, newId } from './ids.js';
import type { IrEvent, IrTool, IrToolCall } from './ir.js';
import {
  functionCallItem,
  messageItem,
  outputText,
  type ResponseShell,
  responseObject,
  toolOrigins,
} from './responses-response.js';
import { sseFrame } from './sse-frame.js';
import { type StreamEncoder, UNFINISHED } from './stream-encoder.js';

type Json = Record<string, unknown>;

type OpenItem =
  | { kind: 'message'; id: string; index: number; text: string }
  | { kind: 'call'; id: string; index: number; call: IrToolCall };

/**
 * Encodes events as the Responses API streams them (`event: <type>` with a `sequence_number`):
 * response.created and .in_progress, then per output item output_item.added, its deltas
 * (content_part/output_text for text, function_call_arguments for tool calls) and output_item.done,
 * then response.completed (or response.incomplete when cut by the token limit). An error becomes
 * response.failed followed by an `error` event, which the OpenAI SDKs raise.
 */
export function createResponsesStreamEncoder(opts: {
  model: string;
  tools?: readonly IrTool[];
}): StreamEncoder {
  const origins = toolOrigins(opts.tools);
  let seq = 0;
  let shell: ResponseShell | null = null;
  let closed = false;
  let current: OpenItem | null = null;
  const done: Json[] = [];
  const calls = new Map<number, OpenItem & { kind: 'call' }>();

  const emit = (type: string, data: Json): string =>
    sseFrame({ type, sequence_number: seq++, ...data }, type);

  /** The response shell, created with its opening events on the first event of the stream. */
  const open = (upstreamId?: string): { shell: ResponseShell; out: string } => {
    if (shell) return { shell, out: '' };
    const id = upstreamId === undefined ? newId('resp') : idFor(upstreamId, 'resp');
    const opened = { id, model: opts.model, createdAt: Math.floor(Date.now() / 1000) };
    shell = opened;
    const response = responseObject(opened, [], { status: 'in_progress' });
    return {
      shell: opened,
      out: emit('response.created', { response }) + emit('response.in_progress', { response }),
    };
  };

  const closeItem = (): string => {
    const item = current;
    if (!item) return '';
    current = null;
    const at = { item_id: item.id, output_index: item.index };
    if (item.kind === 'call') {
      const finished = functionCallItem(item.id, item.call, 'completed', origins);
      done.push(finished);
      return (
        emit('response.function_call_arguments.done', { ...at, arguments: item.call.arguments }) +
        emit('response.output_item.done', { output_index: item.index, item: finished })
      );
    }
    const finished = messageItem(item.id, item.text, 'completed');
    done.push(finished);
    return (
      emit('response.output_text.done', { ...at, content_index: 0, text: item.text, logprobs: [] }) +
      emit('response.content_part.done', { ...at, content_index: 0, part: outputText(item.text) }) +
      emit('response.output_item.done', { output_index: item.index, item: finished })
    );
  };

  const text = (delta: string): string => {
    let out = '';
    if (current?.kind !== 'message') {
      out += closeItem();
      const item: OpenItem = { kind: 'message', id: newId('msg'), index: done.length, text: '' };
      current = item;
      const at = { item_id: item.id, output_index: item.index };
      out +=
        emit('response.output_item.added', {
          output_index: item.index,
          item: messageItem(item.id, null, 'in_progress'),
        }) + emit('response.content_part.added', { ...at, content_index: 0, part: outputText('') });
    }
    const item = current as OpenItem & { kind: 'message' };
    item.text += delta;
    return (
      out +
      emit('response.output_text.delta', {
        item_id: item.id,
        output_index: item.index,
        content_index: 0,
        delta,
        logprobs: [],
      })
    );
  };

  const push = (e: IrEvent): string => {
    if (closed) return '';
    if (e.type === 'start') return open(e.id).out;
    const { shell: s, out: head } = open();
    let out = head;
    switch (e.type) {
      case 'text':
        return e.delta === '' ? out : out + text(e.delta);
      case 'tool_call_start': {
        out += closeItem();
        const item = {
          kind: 'call' as const,
          id: newId('fc'),
          index: done.length,
          call: { id: e.id, name: e.name, arguments: '' },
        };
        current = item;
        calls.set(e.index, item);
        return (
          out +
          emit('response.output_item.added', {
            output_index: item.index,
            item: functionCallItem(item.id, item.call, 'in_progress', origins),
          })
        );
      }
      case 'tool_call_args': {
        const item = calls.get(e.index);
        if (!item || e.delta === '') return out;
        item.call.arguments += e.delta;
        return (
          out +
          emit('response.function_call_arguments.delta', {
            item_id: item.id,
            output_index: item.index,
            delta: e.delta,
          })
        );
      }
      case 'done': {
        closed = true;
        out += closeItem();
        const response = responseObject(s, done, e);
        const type = response.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
        return out + emit(type, { response });
      }
      case 'error': {
        closed = true;
        const error = { code: e.code, message: e.message };
        const output = current ? [...done, partialItem(current)] : done;
        return (
          out +
          emit('response.failed', { response: responseObject(s, output, { error }) }) +
          emit('error', { code: e.code, message: e.message, param: null })
        );
      }
    }
  };

  return { push, end: () => (closed ? '' : push(UNFINISHED)) };
}

/** An item cut short by an error, as far as it got. */
function partialItem(item: OpenItem): Json {
  if (item.kind === 'call') return functionCallItem(item.id, item.call, 'in_progress');
  return { ...messageItem(item.id, null, 'in_progress'), content: [outputText(item.text)] };
}
